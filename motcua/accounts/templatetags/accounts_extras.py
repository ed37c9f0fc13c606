from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value, default: int = 15) -> int:
    """Whole minutes of a timedelta, rounded up ("15" for django-axes' cool-off of 15 minutes)."""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return max(1, -(-seconds // 60))
    return default
