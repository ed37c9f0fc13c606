"""The production storage of static files: WhiteNoise's compressed manifest, with each file's
address worked out once per process.

``{% static %}`` asks the storage for a file's address on every page (the stylesheet, the icon,
htmx: four times on every public page); the manifest storage looks the name up in the manifest
and joins it to ``STATIC_URL`` each time (~15 µs). The manifest is read when the process starts
and does not change while it runs (deploying collects the files, then restarts the server), so
the answer for a name never changes either: kept here after the first time. ``collectstatic``
(``post_process``) writes a new manifest: what was kept is forgotten then. A name the manifest
lacks still raises, every time.
"""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# The addresses kept per process at most (templates name a few dozen files).
MAX_KEPT = 1024


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or settings.DEBUG or name is None:  # with DEBUG on, the unhashed name
            return super().url(name, force)
        address = self._addresses.get(name)
        if address is None:
            address = super().url(name)
            if len(self._addresses) < MAX_KEPT:
                self._addresses[name] = address
        return address

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._addresses.clear()
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()
