"""The rating as JSON (``/api/v1/ratings…``): for the mobile app and the portal's integrations.

No sign-in: the signed rating link's token (from the tracking answer, "Hồ sơ của tôi" or the
message) proves the caller may rate, exactly as on the page. Errors: a forged or expired token
403, a dossier not yet served or rated twice on the channel 409, an incomplete form 400 (with
each missing answer in ``details``); nothing is recorded on any of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from motcua.dossiers.models import Dossier
from motcua.feedback import links, questionnaires, services
from motcua.feedback.models import Rating
from motcua.lib.apischema import errors
from motcua.lib.errors import Forbidden, NotFound

router = Router(tags=["Đánh giá mức độ hài lòng"])


class OptionOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    key: str = Field(description="Tên trường trong câu trả lời")
    indicator: int = Field(description="Chỉ số của Thông tư 01/2018/TT-VPCP, Điều 13")
    text: str
    options: list[OptionOut]


class QuestionnaireOut(Schema):
    version: str
    title: str
    source: str = Field(description="Căn cứ và ghi chú nguồn của phiếu")
    questions: list[QuestionOut]
    overall: str = Field(description="Câu hỏi chung: hài lòng / không hài lòng (trường `satisfied`)")


class RatingIn(Schema):
    token: str = Field(description="Mã trong đường dẫn đánh giá (trang tra cứu, Hồ sơ của tôi, tin nhắn)")
    answers: dict[str, str] = Field(description="Câu trả lời theo `key` của từng câu hỏi")
    satisfied: bool = Field(description="Hài lòng (true) hay không hài lòng (false)")
    comment: str = Field("", max_length=2000)


class RatingOut(Schema):
    dossier_code: str
    channel: Literal["online"]
    satisfied: bool
    questionnaire_version: str
    created_at: datetime


@router.get(
    "/ratings/questionnaire",
    response={200: QuestionnaireOut, **errors(400, 404)},
    summary="Phiếu đánh giá hiện hành",
    auth=None,
)
def questionnaire(request: HttpRequest) -> QuestionnaireOut:
    q = questionnaires.current("rating")
    return QuestionnaireOut(
        version=q.version,
        title=q.title,
        source=q.source,
        questions=[QuestionOut(**question) for question in q.questions],
        overall=q.overall["text"],
    )


@router.post(
    "/ratings",
    response={201: RatingOut, **errors(400, 403, 404, 409, 413)},
    summary="Đánh giá việc giải quyết một hồ sơ (trực tuyến)",
    description=(
        "Một hồ sơ được đánh giá khi đã trả kết quả, bị từ chối tiếp nhận hoặc được hướng dẫn bổ sung; "
        "mỗi kênh một lần (lần hai → 409). Đường dẫn giả hoặc hết hạn → 403. Không ghi nhận gì khi có lỗi."
    ),
    auth=None,
)
def rating_create(request: HttpRequest, body: RatingIn) -> Status:
    code, source = links.read_rating_token(body.token)
    if source not in (Rating.Source.TRACKING, Rating.Source.MY_DOSSIERS, Rating.Source.MESSAGE_LINK):
        raise Forbidden(links.FORGED_RATING, code="rating_link_invalid")
    dossier = Dossier.objects.select_related("procedure").filter(code=code).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    data: dict[str, str] = {
        **body.answers,
        "satisfied": "yes" if body.satisfied else "no",
        "comment": body.comment,
    }
    rating = services.rating_submit(
        dossier=dossier, channel=Rating.Channel.ONLINE, source=Rating.Source.API, data=data
    )
    return Status(
        201,
        RatingOut(
            dossier_code=dossier.code,
            channel="online",
            satisfied=rating.satisfied,
            questionnaire_version=rating.questionnaire_version,
            created_at=rating.created_at,
        ),
    )
