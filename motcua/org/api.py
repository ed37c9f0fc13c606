"""Public JSON API of the organisation: the list of agencies (mounted at /api/v1/)."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema

from motcua.lib.apischema import errors, one_of
from motcua.org import selectors
from motcua.org.models import Agency

router = Router(tags=["Cơ quan"])

AgencyKind = Annotated[str, one_of(Agency.Kind.values)]
# The selector checks ``kind`` itself, with a message naming the parameter; empty is no filter.
AgencyKindFilter = Annotated[str, one_of(["", *Agency.Kind.values], description="Trống: mọi loại")]


class AdministrativeUnitOut(Schema):
    code: str
    name: str


class AgencyOut(Schema):
    code: str
    name: str
    kind: AgencyKind
    administrative_unit: AdministrativeUnitOut | None
    parent: str | None


def _agency_out(agency: Agency) -> AgencyOut:
    unit = agency.admin_unit
    return AgencyOut(
        code=agency.code,
        name=agency.name,
        kind=agency.kind,
        administrative_unit=AdministrativeUnitOut(code=unit.code, name=unit.name) if unit else None,
        parent=agency.parent.code if agency.parent else None,
    )


@router.get(
    "/agencies",
    # No 404: an unknown administrative unit is an empty list.
    response={200: list[AgencyOut], **errors(400)},
    summary="Danh sách cơ quan",
    description=(
        "Các cơ quan đang hoạt động, theo thứ tự cây tổ chức, **không phân trang** (một tỉnh có "
        "vài trăm cơ quan). Lọc theo `kind` (peoples_committee, department, service_centre, "
        "one_stop, vertical, other), `admin_unit` (mã đơn vị hành chính mà cơ quan phục vụ) và "
        "`q` (đầu mã định danh, hoặc từ trong tên, không phân biệt dấu và hoa thường). "
        "Không cần đăng nhập."
    ),
    auth=None,
)
def agencies(
    request: HttpRequest,
    kind: AgencyKindFilter | None = None,
    admin_unit: str | None = None,
    q: str | None = None,
) -> list[AgencyOut]:
    return [_agency_out(a) for a in selectors.agencies_list(kind=kind, admin_unit=admin_unit, q=q)]
