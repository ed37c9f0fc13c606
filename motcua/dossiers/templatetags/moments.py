"""Times as the public pages write them, without the cost of Django's ``date`` filter.

``{{ t|date:"H:i \\n\\g\\à\\y d/m/Y" }}`` parses its format on every call (~25 µs; ~12 µs for
``date:'c'``), and the tracking page writes up to a dozen times. These filters write the same
text directly from the fields, in the current time zone (as ``date``: ``expects_localtime``):

- ``{{ t|moment }}``: ``14:05 ngày 15/01/2026`` (``date:"H:i \\n\\g\\à\\y d/m/Y"``);
- ``{{ t|stamp }}``: ``15/01/2026 14:05`` (``date:"d/m/Y H:i"``);
- ``{{ t|iso }}``: ``2026-01-15T14:05:00+07:00`` (``date:'c'``, for ``<time datetime>``).

Anything but a datetime goes to ``date`` itself, so the answer is always the same as its.
"""

from datetime import datetime
from typing import Any

from django import template
from django.template.defaultfilters import date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def moment(value: Any) -> str:
    if type(value) is not datetime:
        return date(value, "H:i \\n\\g\\à\\y d/m/Y")
    return f"{value.hour:02d}:{value.minute:02d} ngày {value.day:02d}/{value.month:02d}/{value.year:04d}"


@register.filter(expects_localtime=True, is_safe=False)
def stamp(value: Any) -> str:
    if type(value) is not datetime:
        return date(value, "d/m/Y H:i")
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"


@register.filter(expects_localtime=True, is_safe=False)
def iso(value: Any) -> str:
    if type(value) is not datetime:
        return date(value, "c")
    return value.isoformat()
