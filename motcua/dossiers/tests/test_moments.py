"""The tracking page's time filters write exactly what Django's ``date`` filter writes with the
formats they stand for, in the current time zone (Asia/Ho_Chi_Minh), for any input."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.template import Context, Template
from django.utils import translation

FORMATS = {
    "moment": '"H:i \\n\\g\\à\\y d/m/Y"',
    "stamp": '"d/m/Y H:i"',
    "iso": "'c'",
}
VALUES = [
    datetime(2026, 1, 15, 7, 5, tzinfo=UTC),  # 14:05 in Hà Nội
    datetime(2025, 12, 31, 17, 0, 30, 123456, tzinfo=UTC),  # the next day, with microseconds
    datetime(2026, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 2, 3, 4, 5, tzinfo=UTC),  # a year of three digits
    datetime(2026, 1, 15, 7, 5),  # noqa: DTZ001 — naive, as date takes it too
    date(2026, 1, 15),
    None,
    "",
    "không phải thời điểm",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_filters_write_what_date_writes(name, value, language):
    ours = Template(f"{{% load moments %}}{{{{ value|{name} }}}}")
    django = Template(f"{{{{ value|date:{FORMATS[name]} }}}}")
    with translation.override(language):
        assert _answer(ours, value) == _answer(django, value)


def _answer(template: Template, value: object) -> object:
    """The text written, or the kind of error raised (``date`` refuses hours in a date)."""
    try:
        return template.render(Context({"value": value}))
    except Exception as exc:  # noqa: BLE001 — the same error either way is what is checked
        return type(exc)


def test_moment_is_in_the_current_time_zone():
    page = Template("{% load moments %}{{ t|moment }} · {{ t|stamp }} · {{ t|iso }}")
    text = page.render(Context({"t": datetime(2026, 1, 15, 18, 5, tzinfo=UTC)}))
    assert text == "01:05 ngày 16/01/2026 · 16/01/2026 01:05 · 2026-01-16T01:05:00+07:00"
