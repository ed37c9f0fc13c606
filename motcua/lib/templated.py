"""``TemplateFields``: plain objects that Django's templates read without an exception per field.

The template engine looks ``x.name`` up as ``x["name"]`` first and only then as an attribute, so
every field of a dataclass read in a template costs a ``TypeError`` raised and caught (what
"Hồ sơ của tôi" tells of a supplement or a payment to make: ``tracking_words``). A class that answers
``x["name"]`` with its attribute is read at the first try. A missing name raises ``KeyError``,
after which the engine goes on as for any object.
"""

from typing import Any


class TemplateFields:
    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except (AttributeError, TypeError):  # TypeError: a name that is not a string (a loop's index)
            raise KeyError(name) from None
