"""The language of a request: Vietnamese, unless the visitor chose another one.

Django's LocaleMiddleware follows the browser's Accept-Language, and most browsers in use at
counters and in offices have an English interface: the pages, written in Vietnamese, then
showed Django's own messages ("This field is required.") in English beside Vietnamese labels.
Here only an explicit choice counts: the language cookie (``LANGUAGE_COOKIE_NAME``, set by
Django's ``set_language`` view should a language switch be offered), otherwise
``LANGUAGE_CODE``. English stays available through Django's i18n.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if choice:
        try:
            return translation.get_supported_language_variant(choice)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Takes LocaleMiddleware's place in MIDDLEWARE (after sessions, before CommonMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # For this request only: the thread's next request (or test) starts from LANGUAGE_CODE.
        with translation.override(chosen_language(request)):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
