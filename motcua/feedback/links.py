"""Signed links: the rating link (tracking page, "Hồ sơ của tôi", the returned / refused message)
and the survey invitation link.

A rating link names the dossier's code and where it was handed out, signed with the site's key and
dated (valid ``FEEDBACK_LINK_DAYS``); knowing it is what proves the reader may rate (they knew the
code and PIN, own the dossier, or received the message). A survey link names an invitation's
random nonce; it is single-use because the invitation is marked used (services.survey_answer).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from motcua.lib.errors import Forbidden

RATING_SALT = "motcua.feedback.rating"
SURVEY_SALT = "motcua.feedback.survey"
FORGED_RATING = (
    "Đường dẫn đánh giá không hợp lệ hoặc đã hết hạn. Ông/bà có thể đánh giá từ trang tra cứu hồ sơ "
    "(nhập mã hồ sơ và mã tra cứu) hoặc mục “Hồ sơ của tôi”."
)
FORGED_SURVEY = (
    "Đường dẫn khảo sát không hợp lệ hoặc đã hết hạn. Vui lòng dùng đúng đường dẫn trong tin nhắn mời "
    "khảo sát; không có câu trả lời nào được ghi nhận."
)


def _max_age() -> int:
    return int(settings.FEEDBACK_LINK_DAYS) * 86400


def rating_token(code: str, source: str) -> str:
    return signing.dumps({"c": code, "s": source}, salt=RATING_SALT, compress=True)


def rating_path(code: str, source: str) -> str:
    return reverse("feedback:rate", args=[rating_token(code, source)])


def rating_url(code: str, source: str) -> str:
    return settings.FEEDBACK_PUBLIC_URL + rating_path(code, source)


def read_rating_token(token: str) -> tuple[str, str]:
    """(dossier code, source) of a genuine, unexpired rating token; Forbidden otherwise."""
    try:
        value = signing.loads(token, salt=RATING_SALT, max_age=_max_age())
        return str(value["c"]), str(value["s"])
    except (signing.BadSignature, KeyError, TypeError):
        raise Forbidden(FORGED_RATING, code="rating_link_invalid") from None


def survey_token(nonce: str) -> str:
    return signing.dumps(nonce, salt=SURVEY_SALT)


def survey_url(nonce: str) -> str:
    return settings.FEEDBACK_PUBLIC_URL + reverse("feedback:survey", args=[survey_token(nonce)])


def read_survey_token(token: str) -> str:
    try:
        return str(signing.loads(token, salt=SURVEY_SALT, max_age=_max_age()))
    except signing.BadSignature:
        raise Forbidden(FORGED_SURVEY, code="survey_link_invalid") from None
