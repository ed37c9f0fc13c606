"""``{% public_office as office %}``: the office the footer of every public page names."""

from django import template

from motcua.catalog.places import Office
from motcua.catalog.places import public_office as _public_office

register = template.Library()


@register.simple_tag
def public_office() -> Office | None:
    return _public_office()
