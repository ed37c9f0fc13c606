"""Writes for the organisation: administrative units, agencies, service points, counters, roles.

Every write runs in one transaction with its audit event; agency events go to the agency's own
audit chain (its identifier code), so that agencies never wait on one another.
"""

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Model, Value
from django.db.models.functions import Concat, Substr

from motcua.audit.services import audit_record, snapshot
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.lib.text import fold
from motcua.org.models import AdministrativeUnit, Agency, Counter, Membership, ServicePoint
from motcua.org.signals import agencies_changed
from motcua.workcalendar.models import WorkSchedule

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser, User

# QCVN 102:2016/BTTTT identifier codes look like V1V2V3.Z1Z2.Y1Y2.MX1X2 ("000.00.12.H13"): we
# accept 1 to 5 dot-separated groups of letters and digits, each at most 10 characters long.
AGENCY_CODE_RE = re.compile(r"^[A-Z0-9]{1,10}(?:\.[A-Z0-9]{1,10}){0,4}$")
AGENCY_CODE_MAX_LENGTH = 40

# Fields of Agency that agency_create(**fields) / agency_update(**changes) accept besides the
# named ones. The parent is changed only by agency_move (it rewrites the subtree's paths).
AGENCY_EXTRA_FIELDS = frozenset({"short_name", "address", "phone", "email", "active"})
AGENCY_UPDATABLE_FIELDS = AGENCY_EXTRA_FIELDS | {"code", "name", "kind", "admin_unit", "schedule"}


def _invalid_fields(exc: ValidationError, *, what: str) -> InvalidInput:
    fields = {name: " ".join(str(m) for m in messages) for name, messages in exc.message_dict.items()}
    listed = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return InvalidInput(f"Thông tin {what} không hợp lệ — {listed}", details={"fields": fields})


def validate_agency_code(code: str) -> str:
    """The code in its canonical form (trimmed, upper case), or InvalidInput if it is junk."""
    canonical = (code or "").strip().upper()
    if len(canonical) > AGENCY_CODE_MAX_LENGTH or not AGENCY_CODE_RE.fullmatch(canonical):
        raise InvalidInput(
            f"Mã định danh “{code}” không đúng dạng QCVN 102 (ví dụ 000.00.12.H13): gồm 1–5 nhóm "
            "chữ cái và chữ số, ngăn cách bằng dấu chấm.",
            code="invalid_agency_code",
            details={"field": "code", "value": code},
        )
    return canonical


def _check_kind(kind: str) -> str:
    if kind not in Agency.Kind.values:
        raise InvalidInput(
            f"Loại cơ quan “{kind}” không hợp lệ; chọn một trong: {', '.join(Agency.Kind.values)}.",
            details={"field": "kind", "value": kind},
        )
    return kind


def _check_role(role: str) -> str:
    if role not in Membership.Role.values:
        raise InvalidInput(
            f"Vai trò “{role}” không hợp lệ; chọn một trong: {', '.join(Membership.Role.values)}.",
            details={"field": "role", "value": role},
        )
    return role


def _locked(agency: Agency) -> Agency:
    """The agency's current row, locked until the end of the transaction."""
    try:
        return Agency.objects.select_for_update().get(pk=agency.pk)
    except Agency.DoesNotExist:
        raise NotFound("Không tìm thấy cơ quan.", details={"id": agency.pk}) from None


def _full_clean(obj: Model, *, what: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _invalid_fields(exc, what=what) from None


# --- agencies ---------------------------------------------------------------------------------


def agency_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Agency | None = None,
    admin_unit: AdministrativeUnit | None = None,
    schedule: WorkSchedule | None = None,
    actor: "AnyUser | None" = None,
    **fields: Any,
) -> Agency:
    """Create an agency under ``parent`` (None: a root) and give it its materialised path."""
    code = validate_agency_code(code)
    _check_kind(kind)
    unknown = set(fields) - AGENCY_EXTRA_FIELDS
    if unknown:
        raise InvalidInput(f"Trường không được hỗ trợ: {', '.join(sorted(unknown))}.")
    name = (name or "").strip()
    with transaction.atomic():
        if Agency.objects.filter(code=code).exists():
            raise Conflict(
                f"Đã có cơ quan mang mã định danh {code}.",
                code="duplicate_agency_code",
                details={"code": code},
            )
        parent_path = _locked(parent).path if parent is not None else "/"
        agency = Agency(
            code=code,
            name=name,
            name_folded=fold(name)[:300],
            kind=kind,
            parent=parent,
            admin_unit=admin_unit,
            schedule=schedule,
            **fields,
        )
        _full_clean(agency, what="cơ quan", exclude=["path"])
        agency.save()
        # The path holds the agency's own pk, known only after the insert.
        agency.path = f"{parent_path}{agency.pk}/"
        agency.save(update_fields=["path"])
        audit_record(
            action="org.agency_create", actor=actor, obj=agency, after=snapshot(agency), chain=agency.code
        )
    return agency


def agency_update(*, agency: Agency, actor: "AnyUser | None" = None, **changes: Any) -> Agency:
    """Change an agency's own fields (not its parent: see agency_move). No change, no event."""
    if "parent" in changes:
        raise InvalidInput("Đổi cơ quan cấp trên bằng agency_move, không bằng agency_update.")
    unknown = set(changes) - AGENCY_UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput(f"Trường không được hỗ trợ: {', '.join(sorted(unknown))}.")
    if "code" in changes:
        changes["code"] = validate_agency_code(changes["code"])
    if "kind" in changes:
        _check_kind(changes["kind"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    with transaction.atomic():
        current = _locked(agency)
        before = snapshot(current)
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        if "code" in changed and Agency.objects.filter(code=changes["code"]).exclude(pk=current.pk).exists():
            raise Conflict(
                f"Đã có cơ quan mang mã định danh {changes['code']}.",
                code="duplicate_agency_code",
                details={"code": changes["code"]},
            )
        for name in changed:
            setattr(current, name, changes[name])
        if "name" in changed:
            current.name_folded = fold(current.name)[:300]
            changed.append("name_folded")
        _full_clean(current, what="cơ quan", exclude=["path"])
        current.save(update_fields=changed)
        audit_record(
            action="org.agency_update",
            actor=actor,
            obj=current,
            before=before,
            after=snapshot(current),
            chain=current.code,
        )
    # Keep the caller's instance in step with the database.
    for name in [*changed]:
        setattr(agency, name, getattr(current, name))
    return current


def agency_move(*, agency: Agency, parent: Agency | None, actor: "AnyUser | None" = None) -> Agency:
    """Put ``agency`` (and its whole subtree) under ``parent`` (None: make it a root).

    Every path in the subtree starts with the agency's old path; one UPDATE swaps that prefix
    for the new one, so the cost does not depend on the depth of the tree.
    """
    with transaction.atomic():
        current = _locked(agency)
        new_parent = _locked(parent) if parent is not None else None
        if new_parent is not None and new_parent.path.startswith(current.path):
            raise InvalidInput(
                "Không thể chuyển một cơ quan vào chính nó hoặc vào một cơ quan trực thuộc nó.",
                code="agency_cycle",
                details={"agency": current.code, "parent": new_parent.code},
            )
        if current.parent_id == (new_parent.pk if new_parent else None):
            return current
        old_path = current.path
        new_path = f"{new_parent.path if new_parent else '/'}{current.pk}/"
        before = {"parent": current.parent_id, "path": old_path}
        Agency.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField())
        )
        Agency.objects.filter(pk=current.pk).update(parent=new_parent)
        agencies_changed.send(sender=Agency)
        current.refresh_from_db()
        audit_record(
            action="org.agency_move",
            actor=actor,
            obj=current,
            before=before,
            after={"parent": current.parent_id, "path": current.path},
            extra={"parent_code": new_parent.code if new_parent else None},
            chain=current.code,
        )
    agency.parent_id, agency.path = current.parent_id, current.path
    return current


# --- service points and counters --------------------------------------------------------------


def service_point_create(
    *,
    agency: Agency,
    name: str,
    address: str = "",
    schedule: WorkSchedule | None = None,
    actor: "AnyUser | None" = None,
) -> ServicePoint:
    with transaction.atomic():
        point = ServicePoint(agency=agency, name=(name or "").strip(), address=address, schedule=schedule)
        _full_clean(point, what="điểm tiếp nhận")
        point.save()
        audit_record(
            action="org.service_point_create",
            actor=actor,
            obj=point,
            after=snapshot(point),
            chain=agency.code,
        )
    return point


def counter_create(
    *, service_point: ServicePoint, number: int, name: str = "", actor: "AnyUser | None" = None
) -> Counter:
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise InvalidInput(
            f"Số quầy phải là số nguyên dương (nhận được “{number}”).", details={"field": "number"}
        )
    with transaction.atomic():
        if Counter.objects.filter(service_point=service_point, number=number).exists():
            raise Conflict(
                f"Điểm tiếp nhận “{service_point.name}” đã có quầy số {number}.",
                code="duplicate_counter",
                details={"number": number},
            )
        counter = Counter(service_point=service_point, number=number, name=(name or "").strip())
        _full_clean(counter, what="quầy")
        counter.save()
        audit_record(
            action="org.counter_create",
            actor=actor,
            obj=counter,
            after=snapshot(counter),
            chain=service_point.agency.code,
        )
    return counter


# --- memberships ------------------------------------------------------------------------------


def membership_grant(
    *, user: "User", agency: Agency, role: str, include_subtree: bool = True, actor: "AnyUser | None"
) -> Membership:
    """Give ``user`` the ``role`` on ``agency`` (and everything below it if include_subtree).

    Granting what is already granted changes nothing and writes no event; granting a revoked
    role again reactivates it.
    """
    _check_role(role)
    if getattr(user, "kind", None) != "staff":
        raise InvalidInput(
            "Chỉ cấp vai trò cho tài khoản cán bộ, công chức.",
            code="not_staff",
            details={"username": user.get_username()},
        )
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(user=user, agency=agency, role=role).first()
        )
        if membership is not None and membership.active and membership.include_subtree == include_subtree:
            return membership
        before = snapshot(membership) if membership is not None else None
        if membership is None:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(
                        user=user, agency=agency, role=role, include_subtree=include_subtree
                    )
            except IntegrityError:
                raise Conflict("Vai trò này vừa được cấp bởi một thao tác khác; hãy thử lại.") from None
        else:
            membership.active = True
            membership.include_subtree = include_subtree
            membership.save(update_fields=["active", "include_subtree"])
        audit_record(
            action="org.membership_grant",
            actor=actor,
            obj=membership,
            before=before,
            after=snapshot(membership),
            chain=agency.code,
        )
    return membership


def membership_revoke(*, membership: Membership, actor: "AnyUser | None") -> Membership:
    """End a membership. The row stays (inactive) so that history can still name the role."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().select_related("agency").get(pk=membership.pk)
        if not current.active:
            return current
        before = snapshot(current)
        current.active = False
        current.save(update_fields=["active"])
        audit_record(
            action="org.membership_revoke",
            actor=actor,
            obj=current,
            before=before,
            after=snapshot(current),
            chain=current.agency.code,
        )
    membership.active = False
    return current


# --- administrative units ---------------------------------------------------------------------


def admin_unit_create(
    *,
    code: str,
    name: str,
    level: str,
    scheme: str = AdministrativeUnit.Scheme.TWO_LEVEL,
    parent: AdministrativeUnit | None = None,
    division_type: str = "",
    actor: "AnyUser | None" = None,
) -> AdministrativeUnit:
    """Create one administrative unit by hand (the importer is the usual way in)."""
    with transaction.atomic():
        if AdministrativeUnit.objects.filter(scheme=scheme, code=code).exists():
            raise Conflict(f"Đã có đơn vị hành chính mã {code}.", details={"code": code, "scheme": scheme})
        unit = AdministrativeUnit(
            scheme=scheme, code=code, name=name, level=level, parent=parent, division_type=division_type
        )
        _full_clean(unit, what="đơn vị hành chính")
        unit.save()
        audit_record(action="org.admin_unit_create", actor=actor, obj=unit, after=snapshot(unit))
    return unit


ADMIN_UNIT_SCHEMES = ("2025", "legacy", "all")

_DIVISION_LABELS = {"thành phố trung ương": "Thành phố trực thuộc trung ương"}


def _division_label(value: str) -> str:
    value = str(value)
    return _DIVISION_LABELS.get(value) or (value[:1].upper() + value[1:])


@dataclass(frozen=True)
class _UnitRow:
    level: str
    code: str
    name: str
    division_type: str
    parent_code: str | None


@dataclass
class AdminUnitImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class AdminUnitImportReport:
    """What one import did, per scheme and level: counts of created, updated, unchanged units."""

    counts: dict[str, dict[str, AdminUnitImportCounts]] = field(default_factory=dict)

    def totals(self, scheme: str) -> AdminUnitImportCounts:
        out = AdminUnitImportCounts()
        for level_counts in self.counts.get(scheme, {}).values():
            out.created += level_counts.created
            out.updated += level_counts.updated
            out.unchanged += level_counts.unchanged
        return out

    @property
    def created(self) -> int:
        return sum(self.totals(s).created for s in self.counts)

    @property
    def updated(self) -> int:
        return sum(self.totals(s).updated for s in self.counts)


def _province_number(province: str | int | None) -> int | None:
    if province is None or province == "":
        return None
    try:
        return int(str(province).strip())
    except ValueError:
        raise InvalidInput(
            f"Mã tỉnh/thành phố “{province}” không hợp lệ: cần một số, ví dụ 08.",
            details={"field": "province", "value": str(province)},
        ) from None


def _rows_2025(province: int | None) -> list[list[_UnitRow]]:
    from vietnam_provinces import Province, Ward

    provinces = [p for p in Province.iter_all() if province is None or p.code.value == province]
    if province is not None and not provinces:
        raise InvalidInput(
            f"Không có tỉnh/thành phố mã {province:02d} trong dữ liệu đơn vị hành chính từ 01/7/2025.",
            details={"field": "province", "value": province},
        )
    wanted = {p.code.value for p in provinces}
    level1 = [
        _UnitRow("province", f"{p.code.value:02d}", p.name, _division_label(p.division_type), None)
        for p in provinces
    ]
    level2 = [
        _UnitRow(
            "commune",
            f"{w.code.value:05d}",
            w.name,
            _division_label(w.division_type),
            f"{w.province_code.value:02d}",
        )
        for w in Ward.iter_all()
        if w.province_code.value in wanted
    ]
    return [level1, level2]


def _rows_legacy(province: int | None) -> list[list[_UnitRow]]:
    from vietnam_provinces.legacy import District, Province, Ward

    provinces = [p for p in Province.iter_all() if province is None or p.code.value == province]
    if province is not None and not provinces:
        raise InvalidInput(
            f"Không có tỉnh/thành phố mã {province:02d} trong dữ liệu đơn vị hành chính trước 01/7/2025.",
            details={"field": "province", "value": province},
        )
    wanted = {p.code.value for p in provinces}
    districts = [d for d in District.iter_all() if d.province_code.value in wanted]
    district_codes = {d.code.value for d in districts}
    level1 = [
        _UnitRow("province", f"{p.code.value:02d}", p.name, _division_label(p.division_type), None)
        for p in provinces
    ]
    level2 = [
        _UnitRow(
            "district",
            f"{d.code.value:03d}",
            d.name,
            _division_label(d.division_type),
            f"{d.province_code.value:02d}",
        )
        for d in districts
    ]
    level3 = [
        _UnitRow(
            "commune",
            f"{w.code.value:05d}",
            w.name,
            _division_label(w.division_type),
            f"{w.district_code.value:03d}",
        )
        for w in Ward.iter_all()
        if w.district_code.value in district_codes
    ]
    return [level1, level2, level3]


def _import_scheme(scheme: str, levels: list[list[_UnitRow]]) -> dict[str, AdminUnitImportCounts]:
    """Upsert the rows level by level (parents first) with bulk statements."""
    counts: dict[str, AdminUnitImportCounts] = {}
    # Parents may live in another level: keep one map of every unit of the scheme.
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(scheme=scheme)}
    for rows in levels:
        if not rows:
            continue
        level = rows[0].level
        level_counts = counts.setdefault(level, AdminUnitImportCounts())
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        for row in rows:
            parent_id = existing[row.parent_code].pk if row.parent_code else None
            unit = existing.get(row.code)
            if unit is None:
                to_create.append(
                    AdministrativeUnit(
                        scheme=scheme,
                        code=row.code,
                        name=row.name,
                        division_type=row.division_type,
                        level=row.level,
                        parent_id=parent_id,
                    )
                )
            elif (unit.name, unit.division_type, unit.level, unit.parent_id) != (
                row.name,
                row.division_type,
                row.level,
                parent_id,
            ):
                unit.name, unit.division_type, unit.level, unit.parent_id = (
                    row.name,
                    row.division_type,
                    row.level,
                    parent_id,
                )
                to_update.append(unit)
            else:
                level_counts.unchanged += 1
        if to_create:
            AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
            # Not every backend returns primary keys from a bulk insert: read them back.
            created_codes = {u.code for u in to_create}
            for unit in AdministrativeUnit.objects.filter(scheme=scheme, level=level):
                if unit.code in created_codes:
                    existing[unit.code] = unit
        if to_update:
            AdministrativeUnit.objects.bulk_update(
                to_update, ["name", "division_type", "level", "parent"], batch_size=500
            )
        level_counts.created += len(to_create)
        level_counts.updated += len(to_update)
    return counts


def admin_units_import(
    *, scheme: str, province: str | int | None = None, actor: "AnyUser | None" = None
) -> AdminUnitImportReport:
    """Import administrative units from the PyPI package ``vietnam-provinces``.

    ``scheme``: "2025" (province → commune, in force since 1 July 2025), "legacy" (province →
    district → commune) or "all". ``province``: a province code of that scheme (8 or "08") to
    import only that province. Idempotent: a second run creates nothing and reports every unit
    unchanged; renamed units are updated in place (their code is their identity).
    """
    if scheme not in ADMIN_UNIT_SCHEMES:
        raise InvalidInput(
            f"Mô hình “{scheme}” không hợp lệ; chọn một trong: {', '.join(ADMIN_UNIT_SCHEMES)}.",
            details={"field": "scheme", "value": scheme},
        )
    number = _province_number(province)
    schemes = ["2025", "legacy"] if scheme == "all" else [scheme]
    report = AdminUnitImportReport()
    with transaction.atomic():
        for one in schemes:
            levels = _rows_2025(number) if one == "2025" else _rows_legacy(number)
            report.counts[one] = _import_scheme(one, levels)
        summary = {
            one: {
                level: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
                for level, c in per_level.items()
            }
            for one, per_level in report.counts.items()
        }
        if report.created or report.updated:
            import vietnam_provinces

            audit_record(
                action="org.admin_units_import",
                actor=actor,
                object_type="org.administrativeunit",
                object_repr=f"Nhập đơn vị hành chính ({scheme})",
                extra={
                    "scheme": scheme,
                    "province": number,
                    "source": f"vietnam-provinces {vietnam_provinces.__version__}",
                    "counts": summary,
                },
            )
    return report
