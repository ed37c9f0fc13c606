"""``{% national_signin_enabled as enabled %}``: whether the national sign-in button is shown."""

from django import template

from motcua.accounts import oidc

register = template.Library()


@register.simple_tag
def national_signin_enabled() -> bool:
    return oidc.enabled()
