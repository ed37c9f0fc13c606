"""What an oversight page covers: the viewer's jurisdiction, the chosen unit, field and period.

    scope = scope_from_request(request)   # InvalidInput (400) / NotFound (404), Vietnamese messages
    scope.agencies   # the chosen unit and every agency below it that the viewer may see
    scope.query(chi_so="late")  # the query string of the same filters, for links and exports

A unit is named by its identifier code (``don-vi``), a field by its code (``linh-vuc``), the
period as ``motcua.reports.periods`` reads it. A unit outside the viewer's jurisdiction gets
the same answer as a unit that does not exist (404), as dossiers do.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import QuerySet

from motcua.catalog.models import Field
from motcua.lib.errors import Forbidden, NotFound
from motcua.org.models import Agency
from motcua.org.selectors import agencies_visible_to, is_staff
from motcua.reports import periods
from motcua.reports.periods import Period

if TYPE_CHECKING:
    from motcua.accounts.models import User

CHANNELS = {"1": "Trực tiếp", "2": "Trực tuyến", "3": "Bưu chính công ích"}


@dataclass
class Scope:
    user: "User"
    unit: Agency
    tops: list[Agency]  # the highest agencies the viewer sees (the unit menu starts from them)
    agencies: QuerySet[Agency]
    period: Period
    field: Field | None
    channel: int | None = None

    def params(self, **extra) -> dict[str, str]:
        out = {"don-vi": self.unit.code}
        if self.period.key:
            out["ky"] = self.period.key
        else:
            out["tu"], out["den"] = f"{self.period.start:%d/%m/%Y}", f"{self.period.end:%d/%m/%Y}"
        if self.field is not None:
            out["linh-vuc"] = self.field.code
        if self.channel is not None:
            out["kenh"] = str(self.channel)
        for name, value in extra.items():
            if value is None or value == "":
                continue
            out[name.replace("_", "-")] = str(value)
        return out

    def query(self, **extra) -> str:
        return urlencode(self.params(**extra))

    def for_unit(self, unit: Agency) -> "Scope":
        """The same filters, on another unit (a child row's link)."""
        return Scope(
            user=self.user,
            unit=unit,
            tops=self.tops,
            agencies=self.agencies.filter(path__startswith=unit.path),
            period=self.period,
            field=self.field,
            channel=self.channel,
        )

    @property
    def subtitle(self) -> str:
        parts = [self.unit.name, self.period.label]
        if self.field is not None:
            parts.append(f"lĩnh vực {self.field.name}")
        if self.channel is not None:
            parts.append(f"kênh {CHANNELS[str(self.channel)].lower()}")
        return " · ".join(parts)


def visible_tops(user) -> tuple[QuerySet[Agency], list[Agency]]:
    visible = agencies_visible_to(user)
    agencies = list(
        visible.filter(active=True).order_by("path").only("pk", "path", "code", "name", "parent_id")
    )
    seen = {a.pk for a in agencies}
    tops = [a for a in agencies if a.parent_id not in seen]
    return visible, tops


def scope_from_request(request, *, default_period: Period | None = None) -> Scope:
    """The scope a page's query string asks for, checked against the viewer's jurisdiction."""
    user = request.user
    if not is_staff(user):
        raise Forbidden("Trang giám sát chỉ dành cho cán bộ, công chức.")
    visible, tops = visible_tops(user)
    if not tops:
        raise Forbidden("Tài khoản của bạn chưa được phân quyền theo dõi đơn vị nào.")
    params = request.GET
    period = periods.from_query(params, default=default_period)
    code = (params.get("don-vi") or "").strip().upper()
    if code:
        unit = visible.filter(code=code).first()
        if unit is None:
            raise NotFound(
                f"Không tìm thấy đơn vị có mã “{code}” trong phạm vi bạn được theo dõi.",
                code="unit_not_found",
                details={"don-vi": code},
            )
    else:
        unit = tops[0]
    field = None
    field_code = (params.get("linh-vuc") or "").strip()
    if field_code:
        field = Field.objects.filter(code=field_code).first()
        if field is None:
            raise NotFound(f"Không tìm thấy lĩnh vực có mã “{field_code}”.", code="field_not_found")
    channel = None
    channel_text = (params.get("kenh") or "").strip()
    if channel_text:
        if channel_text not in CHANNELS:
            raise NotFound(f"Không có kênh nộp “{channel_text}”.", code="channel_not_found")
        channel = int(channel_text)
    return Scope(
        user=user,
        unit=unit,
        tops=tops,
        agencies=visible.filter(path__startswith=unit.path),
        period=period,
        field=field,
        channel=channel,
    )
