"""``{{ amount|vnd }}`` → "1.250.000 đ" (motcua.lib.text.money), whatever the locale's separators."""

from django import template

from motcua.lib.text import money

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    return money(amount) if amount is not None else ""
