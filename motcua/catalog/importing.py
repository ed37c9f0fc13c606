"""Import procedures from JSON (the shape of data/procedures.json) or XLSX; export to XLSX.

Rules:
- A value the file does not give (JSON null, an empty cell) means "not known": it is stored
  empty for a new procedure and never erases a value already stored (completed by an officer or
  by the demo). Lists follow the same rule: JSON null (or no rows in the XLSX sheet) keeps the
  stored list, ``[]`` empties it.
- Nothing is guessed: a time without a unit, no time, a fee without a VND amount, an
  implausible number of copies (more than ``MAX_PLAUSIBLE_COPIES``, a parsing artefact of the
  source such as "Mẫu số 18" + "1" read as 181) are kept empty and the procedure is marked
  incomplete, ``missing`` saying what.
- All or nothing: every record is checked first; a single broken row changes nothing and the
  error names the row and what is wrong. The whole import runs in one transaction.
- Idempotent: importing the same file again reports 0 changes.

XLSX layout (first row: Vietnamese headers, see ``SHEETS``): sheet "Thủ tục" one row per
procedure; "Thành phần hồ sơ", "Phí, lệ phí", "Kết quả", "Căn cứ pháp lý" one row per item with
the procedure code in the first column. Choice columns accept the code or the Vietnamese label;
the export writes labels, so export → import round-trips.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from django.db import transaction
from django.db.models import Choices

from motcua.audit.services import audit_record
from motcua.catalog import public_text, services
from motcua.catalog.channels import classify_documents
from motcua.catalog.models import Channel, Fee, Procedure
from motcua.lib.errors import InvalidInput
from motcua.lib.text import fold
from motcua.org.models import Agency

MAX_PLAUSIBLE_COPIES = 10
DATA_FILE = Path(__file__).resolve().parent / "data" / "procedures.json"


@dataclass
class Record:
    code: str
    where: str
    field_name: str
    field_code: str | None = None
    managing_ministry: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    demo_values: list[str] | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    incomplete: int = 0
    changes: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total_changes(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        text = (
            f"Tạo mới: {self.created}, cập nhật: {self.updated}, không đổi: {self.unchanged}, "
            f"thiếu thông tin: {self.incomplete}."
        )
        return ("(Chạy thử, không lưu) " if self.dry_run else "") + text


# ---------------------------------------------------------------------------------------------
# Applying records


def import_records(records: list[Record], *, actor=None, dry_run: bool = False) -> ImportReport:
    """Validate every record, then apply them in one transaction (rolled back when ``dry_run``)."""
    errors: list[str] = []
    seen: dict[str, str] = {}
    for record in records:
        errors.extend(validate_record(record))
        if record.code in seen:
            errors.append(f"{record.where}: mã thủ tục {record.code} trùng với {seen[record.code]}")
        seen.setdefault(record.code, record.where)
    if errors:
        raise InvalidInput(
            "Tệp nhập có dòng lỗi, chưa thay đổi gì. "
            + "; ".join(errors[:20])
            + ("…" if len(errors) > 20 else ""),
            code="import_invalid",
            details={"errors": errors},
        )
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        existing = services.procedures_by_code(r.code for r in records)
        for record in records:
            fld = services.field_get_or_create(
                name=record.field_name, code=record.field_code, managing_ministry=record.managing_ministry
            )
            values = {**record.values, "field": fld}
            procedure = existing.get(record.code)
            if procedure is None:
                procedure = Procedure(code=record.code, field=fld, name=values["name"], level=values["level"])
                services.procedure_apply(
                    procedure=procedure, values=values, demo_values=record.demo_values or []
                )
                report.created += 1
                audit_record(
                    action="catalog.procedure_import",
                    obj=procedure,
                    actor=actor,
                    extra={"created": True},
                    chain=services.AUDIT_CHAIN,
                )
            else:
                changed = services.procedure_apply(
                    procedure=procedure, values=values, demo_values=record.demo_values
                )
                if changed:
                    report.updated += 1
                    report.changes[record.code] = changed
                    audit_record(
                        action="catalog.procedure_import",
                        obj=procedure,
                        actor=actor,
                        extra={"changed": changed},
                        chain=services.AUDIT_CHAIN,
                    )
                else:
                    report.unchanged += 1
            if procedure.incomplete:
                report.incomplete += 1
        if report.total_changes:
            audit_record(
                action="catalog.import",
                actor=actor,
                object_type="catalog.import",
                object_repr=report.summary(),
                extra={"created": report.created, "updated": report.updated, "changes": report.changes},
                chain=services.AUDIT_CHAIN,
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


def import_file(path: str | Path, *, actor=None, dry_run: bool = False) -> ImportReport:
    path = Path(path)
    if path.suffix.lower() == ".json":
        records = records_from_json(path.read_bytes())
    elif path.suffix.lower() == ".xlsx":
        records = records_from_xlsx(path)
    else:
        raise InvalidInput(
            f"Không hỗ trợ định dạng tệp {path.suffix or path.name}: chỉ nhận .json hoặc .xlsx."
        )
    return import_records(records, actor=actor, dry_run=dry_run)


def validate_record(record: Record) -> list[str]:
    where, v = record.where, record.values
    errors = []
    if not record.code:
        errors.append(f"{where}: mã thủ tục trống")
    if not v.get("name"):
        errors.append(f"{where}: tên thủ tục trống")
    if not record.field_name:
        errors.append(f"{where}: lĩnh vực trống")
    if v.get("level") not in Procedure.Level.values:
        errors.append(f"{where}: cấp thực hiện không hợp lệ ({v.get('level') or 'trống'})")
    for level in v.get("levels") or []:
        if level not in Procedure.Level.values:
            errors.append(f"{where}: cấp thực hiện không hợp lệ ({level})")
    for key, label in (("processing_time", "thời hạn giải quyết"), ("online_time", "thời hạn trực tuyến")):
        value = v.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            errors.append(f"{where}: {label} phải là số nguyên dương (nhận được {value})")
    choices = {
        "time_unit": ("đơn vị thời hạn", Procedure.TimeUnit),
        "online_level": ("mức độ trực tuyến", Procedure.OnlineLevel),
        "counting_rule": ("cách tính hạn", Procedure.CountingRule),
        "supplement_policy": ("khi bổ sung hồ sơ", Procedure.SupplementPolicy),
        "agency_kind": ("loại cơ quan thực hiện", Agency.Kind),
    }
    for key, (label, enum) in choices.items():
        value = v.get(key)
        if value and value not in enum.values:
            errors.append(f"{where}: {label} không hợp lệ ({value})")
    ef, et = v.get("effective_from"), v.get("effective_to")
    if ef and et and et < ef:
        errors.append(f"{where}: ngày hết hiệu lực trước ngày có hiệu lực")
    for i, doc in enumerate(v.get("documents") or [], start=1):
        dwhere = doc.get("_where") or f"thành phần hồ sơ thứ {i}"
        if not doc.get("name"):
            errors.append(f"{where}, {dwhere}: tên giấy tờ trống")
        for key in services.COUNT_KEYS:
            count = doc.get(key)
            if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
                errors.append(f"{where}, {dwhere}: số bản phải là số nguyên không âm (nhận được {count})")
    codes = [d.get("code") for d in v.get("documents") or [] if d.get("code")]
    if len(codes) != len(set(codes)):
        errors.append(f"{where}: mã thành phần hồ sơ bị trùng")
    for i, doc in enumerate(v.get("documents") or [], start=1):
        dwhere = doc.get("_where") or f"thành phần hồ sơ thứ {i}"
        try:
            services.document_channels(doc.get("channels"))
        except InvalidInput as exc:
            errors.append(f"{where}, {dwhere}: {exc.message}")
        target = doc.get("alternative_of")
        if target and (target not in codes or target == doc.get("code")):
            errors.append(
                f"{where}, {dwhere}: thay thế cho “{target}” không phải một thành phần khác của thủ tục"
            )
    for i, fee in enumerate(v.get("fees") or [], start=1):
        fwhere = fee.get("_where") or f"khoản phí thứ {i}"
        amount = fee.get("amount_vnd")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
            errors.append(f"{where}, {fwhere}: số tiền phải là số nguyên không âm (nhận được {amount})")
        if fee.get("channel") not in (None, "", *Channel.values):
            errors.append(f"{where}, {fwhere}: hình thức nộp không hợp lệ ({fee.get('channel')})")
        if fee.get("kind") not in (None, "", *Fee.Kind.values):
            errors.append(f"{where}, {fwhere}: loại phí không hợp lệ ({fee.get('kind')})")
    for i, lb in enumerate(v.get("legal_bases") or [], start=1):
        if not lb.get("number"):
            errors.append(
                f"{where}, {lb.get('_where') or f'căn cứ pháp lý thứ {i}'}: số, ký hiệu văn bản trống"
            )
    for i, res in enumerate(v.get("results") or [], start=1):
        if not res.get("name"):
            errors.append(f"{where}, {res.get('_where') or f'kết quả thứ {i}'}: tên kết quả trống")
    for name in services.CHILD_LISTS:
        for row in v.get(name) or []:
            row.pop("_where", None)
    return errors


# ---------------------------------------------------------------------------------------------
# JSON


def _derive_agency_kind(*texts: str | None) -> str:
    """The implementing agency kind, only where the published text names it."""
    for text in texts:
        folded = fold(text or "")
        if not folded:
            continue
        if "cong an" in folded:
            return Agency.Kind.VERTICAL
        if "uy ban" in folded:
            return Agency.Kind.PEOPLES_COMMITTEE
        if folded.startswith("so "):
            return Agency.Kind.DEPARTMENT
    return ""


def _fee_kind(*texts: str | None) -> str:
    """Lệ phí or phí, only where the published wording says which."""
    folded = fold(" ".join(t or "" for t in texts))
    if "le phi" in folded:
        return Fee.Kind.FEE
    if re.search(r"\bphi\b", folded.replace("mien phi", "")):
        return Fee.Kind.CHARGE
    return ""


def _fees_from_channels(channels: list[dict]) -> tuple[list[dict], list[str]]:
    rows: list[tuple[str, dict]] = []
    anomalies = []
    for ch in channels:
        amount, text = ch.get("fee_amount_vnd"), ch.get("fee_text")
        if ch.get("fee_anomaly"):
            anomalies.append(f"{ch.get('channel')}: {ch['fee_anomaly']}")
        if amount is None and (not text or fold(text) == "khong co thong tin"):
            continue  # the channel gives no fee at all
        row = {
            "kind": _fee_kind(ch.get("fee_note"), ch.get("description")),
            "description": ch.get("description") or "",
            "amount_vnd": amount,
            "currency": ch.get("fee_currency") or ("VND" if amount is not None else ""),
            "text": text or "",
            "note": ch.get("fee_note") or "",
            "collected_by": "",
        }
        rows.append((ch.get("channel_code") or "", row))
    codes = {ch.get("channel_code") for ch in channels}
    fees: list[dict] = []
    seen: list[dict] = []
    for _code, row in rows:
        if row in seen:
            continue
        seen.append(row)
        in_channels = {c for c, r in rows if r == row}
        if in_channels >= codes and len(codes) > 0:
            fees.append({**row, "channel": ""})
        else:
            for c in sorted(in_channels, key=[r[0] for r in rows].index):
                fees.append({**row, "channel": c})
    return fees, anomalies


def _documents_from_json(items: list[dict]) -> tuple[list[dict], list[dict]]:
    docs, odd = [], []
    for i, item in enumerate(items):
        code = f"TP{i + 1:02d}"
        original = item.get("count_original") or 0
        copy = item.get("count_copy") or 0
        certified = item.get("copy_kind") == "bản sao có chứng thực"
        counts = {
            "original_count": original,
            "certified_copy_count": copy if certified else 0,
            "photocopy_count": 0 if certified else copy,
        }
        for key, value in counts.items():
            if value > MAX_PLAUSIBLE_COPIES:
                odd.append({"code": code, key: value})
                counts[key] = None
        group = item.get("group") or ""
        docs.append(
            {
                "code": code,
                "name": (item.get("name") or "").strip(),
                **counts,
                "mandatory": bool(item.get("mandatory", True)),
                "condition": "" if group in ("Giấy tờ phải nộp", "Giấy tờ phải xuất trình") else group,
                "present_only": item.get("submission") == "xuất trình",
                "template_name": item.get("form") or "",
            }
        )
    # Channels and alternatives, read from the texts (channels.py; the report lists them).
    classify_documents(docs)
    return docs, odd


def record_from_json(item: dict, index: int) -> Record:
    code = str(item.get("code") or "").strip()
    where = f"Bản ghi {index}" + (f" (thủ tục {code})" if code else "")
    if not isinstance(item, dict):
        return Record(code="", where=where, field_name="", values={})
    pt = item.get("processing_time") or {}
    fld = item.get("field") or {}
    channels = item.get("channels")
    unit = pt.get("unit") or None
    value = pt.get("value")
    online_time = None
    for ch in channels or []:
        if ch.get("channel_code") == "online" and ch.get("time_value") and ch.get("time_unit") == unit:
            if isinstance(value, int) and ch["time_value"] < value:
                online_time = ch["time_value"]
            break
    source: dict[str, Any] = dict(item.get("source") or {})
    extras = {
        "category": item.get("category"),
        "levels_raw": item.get("levels_raw"),
        "completeness": item.get("completeness"),
        "as_of": item.get("as_of"),
        "notes": item.get("notes"),
        "processing_time_text": pt.get("text"),
        "unit_note": pt.get("unit_note"),
        "time_note": pt.get("note"),
        "online_level_note": item.get("online_level_note"),
        "time_statements_in_steps": item.get("time_statements_in_steps") or None,
        "additional_sources": item.get("additional_sources") or None,
    }
    source.update({k: v for k, v in extras.items() if v})
    values: dict[str, Any] = {
        "name": (item.get("name") or "").strip(),
        "level": item.get("level"),
        "levels": item.get("levels") or None,
        "applicants": item.get("applicants"),
        "agency_kind": _derive_agency_kind(item.get("competent_agency"), item.get("executing_agency"))
        or None,
        "competent_agency": item.get("competent_agency"),
        "executing_agency": item.get("executing_agency"),
        "processing_time": value,
        "time_unit": unit,
        "online_time": online_time,
        "online_level": {"toàn trình": "full", "một phần": "partial"}.get(item.get("online_level") or ""),
        "postal_allowed": None if not channels else any(ch.get("channel_code") == "post" for ch in channels),
        "requirements": item.get("conditions"),
        "publishing_decision": item.get("publishing_decision"),
        "procedure_type": item.get("procedure_type"),
        "fees": None,
        "documents": None,
        "results": None,
        "legal_bases": None,
    }
    if channels:
        fees, anomalies = _fees_from_channels(channels)
        values["fees"] = fees or None
        if anomalies:
            source["fee_anomalies"] = anomalies
        raw = [ch["raw"] for ch in channels if ch.get("raw")]
        if raw:
            source["unparsed_channel_text"] = raw
    if item.get("required_documents") is not None:
        docs, odd = _documents_from_json(item["required_documents"])
        values["documents"] = docs
        if odd:
            source["implausible_counts"] = odd
    if item.get("result_documents") is not None:
        values["results"] = [
            {"code": r.get("code") or "", "name": r.get("name") or ""} for r in item["result_documents"]
        ]
    if item.get("legal_basis") is not None:
        values["legal_bases"] = [
            {"number": lb.get("number") or "", "title": lb.get("title") or ""} for lb in item["legal_basis"]
        ]
    values["source"] = source
    return Record(
        code=code,
        where=where,
        field_name=(fld.get("name") or "").strip(),
        field_code=fld.get("code") or None,
        managing_ministry=item.get("managing_ministry") or "",
        values=values,
    )


def records_from_json(data: bytes | str | dict) -> list[Record]:
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidInput(f"Tệp JSON không đọc được: {exc}.") from None
    items = data.get("procedures") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InvalidInput('Tệp JSON phải có danh sách "procedures".')
    return public_text.tidy_records([record_from_json(item, i) for i, item in enumerate(items, start=1)])


# ---------------------------------------------------------------------------------------------
# XLSX


PROCEDURE_COLUMNS: list[tuple[str, str, Any]] = [
    ("code", "Mã thủ tục", None),
    ("name", "Tên thủ tục", None),
    ("field_name", "Lĩnh vực", None),
    ("field_code", "Mã lĩnh vực", None),
    ("managing_ministry", "Bộ, ngành quản lý", None),
    ("level", "Cấp thực hiện", Procedure.Level),
    ("levels", "Các cấp thực hiện", "levels"),
    ("applicants", "Đối tượng thực hiện", None),
    ("agency_kind", "Loại cơ quan thực hiện", Agency.Kind),
    ("competent_agency", "Cơ quan có thẩm quyền", None),
    ("executing_agency", "Cơ quan thực hiện", None),
    ("processing_time", "Thời hạn giải quyết", int),
    ("time_unit", "Đơn vị thời hạn", Procedure.TimeUnit),
    ("online_time", "Thời hạn khi nộp trực tuyến", int),
    ("counting_rule", "Cách tính hạn", Procedure.CountingRule),
    ("supplement_policy", "Khi bổ sung hồ sơ", Procedure.SupplementPolicy),
    ("online_level", "Mức độ trực tuyến", Procedure.OnlineLevel),
    ("postal_allowed", "Nhận qua bưu chính", bool),
    ("requirements", "Yêu cầu, điều kiện", None),
    ("steps_text", "Trình tự thực hiện", None),
    ("publishing_decision", "Quyết định công bố", None),
    ("procedure_type", "Loại thủ tục", None),
    ("effective_from", "Hiệu lực từ", date),
    ("effective_to", "Hiệu lực đến", date),
    ("active", "Đang áp dụng", bool),
    ("demo_values", "Giá trị minh họa", "list"),
    ("source", "Nguồn (JSON)", "json"),
]
DOCUMENT_COLUMNS: list[tuple[str, str, Any]] = [
    ("procedure", "Mã thủ tục", None),
    ("code", "Mã thành phần", None),
    ("name", "Tên giấy tờ", None),
    ("original_count", "Số bản chính", int),
    ("certified_copy_count", "Số bản sao có chứng thực", int),
    ("photocopy_count", "Số bản sao", int),
    ("mandatory", "Bắt buộc", bool),
    ("condition", "Trường hợp áp dụng", None),
    ("present_only", "Chỉ xuất trình", bool),
    ("template_name", "Tên mẫu đơn, tờ khai", None),
    ("channels", "Hình thức nộp áp dụng", "channels"),
    ("alternatives", "Giấy tờ thay thế nhau (mỗi dòng một giấy tờ)", "lines"),
    ("alternative_of", "Thay thế cho thành phần", None),
    ("classification_note", "Cách phân loại", None),
    ("classified_manually", "Phân loại thủ công", bool),
]
FEE_COLUMNS: list[tuple[str, str, Any]] = [
    ("procedure", "Mã thủ tục", None),
    ("kind", "Loại", Fee.Kind),
    ("channel", "Hình thức nộp", Channel),
    ("amount_vnd", "Số tiền (đồng)", int),
    ("currency", "Đơn vị tiền", None),
    ("text", "Mức thu (như công bố)", None),
    ("note", "Ghi chú", None),
    ("description", "Mô tả", None),
    ("collected_by", "Cơ quan thu", None),
]
RESULT_COLUMNS: list[tuple[str, str, Any]] = [
    ("procedure", "Mã thủ tục", None),
    ("code", "Mã kết quả", None),
    ("name", "Tên kết quả", None),
]
LEGAL_COLUMNS: list[tuple[str, str, Any]] = [
    ("procedure", "Mã thủ tục", None),
    ("number", "Số, ký hiệu", None),
    ("title", "Trích yếu", None),
    ("issued_on", "Ngày ban hành", date),
    ("issuer", "Cơ quan ban hành", None),
]
SHEET_PROCEDURES = "Thủ tục"
SHEETS: dict[str, tuple[str | None, list[tuple[str, str, Any]]]] = {
    SHEET_PROCEDURES: (None, PROCEDURE_COLUMNS),
    "Thành phần hồ sơ": ("documents", DOCUMENT_COLUMNS),
    "Phí, lệ phí": ("fees", FEE_COLUMNS),
    "Kết quả": ("results", RESULT_COLUMNS),
    "Căn cứ pháp lý": ("legal_bases", LEGAL_COLUMNS),
}
REQUIRED_SHEET_COLUMNS = {"Mã thủ tục"}
YES, NO = "Có", "Không"


def _cell_out(value: Any, kind: Any) -> Any:
    if value is None or value == "":
        return None
    if kind is bool:
        return YES if value else NO
    if kind == "levels":
        return ", ".join(Procedure.Level(v).label for v in value) or None
    if kind == "list":
        return ", ".join(value) or None
    if kind == "channels":
        # Every channel is written out: an empty cell would read as "not known".
        return ", ".join(str(Channel(c).label) for c in Channel.values if c and c in value) or str(
            Channel.ALL.label
        )
    if kind == "lines":
        return "\n".join(value) or None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None
    if isinstance(kind, type) and issubclass(kind, Choices):
        return kind(value).label
    return value


def _parse_choice(value: str, enum) -> str:
    wanted = value.strip()
    for choice_value, label in enum.choices:
        if wanted == choice_value or fold(wanted) == fold(str(label)):
            return choice_value
    raise ValueError(value)


def _cell_in(value: Any, kind: Any) -> Any:
    """Read a cell; None for empty. Raises ValueError with a Vietnamese reason."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if kind is None:
        return str(value) if not isinstance(value, str) else value
    if kind is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"phải là số nguyên (nhận được {value})")
        return value
    if kind is bool:
        text = fold(str(value))
        if text in ("co", "true", "1", "x"):
            return True
        if text in ("khong", "false", "0"):
            return False
        raise ValueError(f"phải là Có hoặc Không (nhận được {value})")
    if kind is date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(str(value), fmt).date()  # noqa: DTZ007 — a calendar date, no time
            except ValueError:
                pass
        raise ValueError(f"ngày không hợp lệ ({value}), cần dạng dd/mm/yyyy")
    if kind == "levels":
        try:
            return [_parse_choice(part, Procedure.Level) for part in str(value).split(",") if part.strip()]
        except ValueError as exc:
            raise ValueError(f"cấp thực hiện không hợp lệ ({exc})") from None
    if kind == "list":
        return [part.strip() for part in str(value).split(",") if part.strip()]
    if kind == "channels":
        if fold(str(value)) == fold(str(Channel.ALL.label)):
            return []
        try:
            return [_parse_choice(part, Channel) for part in str(value).split(",") if part.strip()]
        except ValueError as exc:
            raise ValueError(f"không hợp lệ ({exc}): ghi Trực tiếp, Trực tuyến, Dịch vụ bưu chính") from None
    if kind == "lines":
        return [line.strip() for line in str(value).splitlines() if line.strip()]
    if kind == "json":
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("không phải JSON hợp lệ") from None
    try:
        return _parse_choice(str(value), kind)
    except ValueError:
        raise ValueError(f"giá trị không hợp lệ ({value})") from None


def _read_sheet(ws, sheet: str, columns, errors: list[str]) -> list[tuple[int, dict]]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    by_header = {h: (key, kind) for key, h, kind in columns}
    positions: list[tuple[int, str, Any]] = []
    for i, h in enumerate(header):
        h = str(h).strip() if h is not None else ""
        if h in by_header:
            key, kind = by_header[h]
            positions.append((i, key, kind))
        elif h:
            errors.append(f"Sheet {sheet}: cột không nhận ra ({h})")
    if not any(key in ("code", "procedure") for _, key, _ in positions):
        errors.append(f"Sheet {sheet}: thiếu cột Mã thủ tục")
        return []
    out = []
    for row_number, row in enumerate(rows, start=2):
        if row is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        data: dict[str, Any] = {}
        for i, key, kind in positions:
            raw = row[i] if i < len(row) else None
            try:
                data[key] = _cell_in(raw, kind)
            except ValueError as exc:
                header_name = next(h for k, h, _ in columns if k == key)
                errors.append(f"Dòng {row_number} (sheet {sheet}): {header_name.lower()} {exc}")
        out.append((row_number, data))
    return out


def records_from_xlsx(path: str | Path) -> list[Record]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput(f"Tệp XLSX không đọc được: {exc}.") from None
    if SHEET_PROCEDURES not in wb.sheetnames:
        raise InvalidInput(f"Tệp XLSX thiếu sheet {SHEET_PROCEDURES}.")
    errors: list[str] = []
    records: dict[str, Record] = {}
    for row_number, data in _read_sheet(wb[SHEET_PROCEDURES], SHEET_PROCEDURES, PROCEDURE_COLUMNS, errors):
        code = data.get("code") or ""
        where = f"Dòng {row_number} (sheet {SHEET_PROCEDURES})"
        if not code:
            errors.append(f"{where}: mã thủ tục trống")
            continue
        if code in records:
            errors.append(f"{where}: mã thủ tục {code} trùng với {records[code].where}")
            continue
        values = {k: data.get(k) for k in services.SCALAR_FIELDS}
        values.update({name: None for name in services.CHILD_LISTS})
        records[code] = Record(
            code=code,
            where=where,
            field_name=data.get("field_name") or "",
            field_code=data.get("field_code"),
            managing_ministry=data.get("managing_ministry") or "",
            values=values,
            demo_values=data.get("demo_values") if data.get("demo_values") is not None else None,
        )
    for sheet, (list_name, columns) in SHEETS.items():
        if list_name is None or sheet not in wb.sheetnames:
            continue
        for row_number, data in _read_sheet(wb[sheet], sheet, columns, errors):
            code = data.pop("procedure", None)
            where = f"Dòng {row_number} (sheet {sheet})"
            if not code:
                errors.append(f"{where}: mã thủ tục trống")
                continue
            record = records.get(code)
            if record is None:
                errors.append(f"{where}: mã thủ tục {code} không có trong sheet {SHEET_PROCEDURES}")
                continue
            data["_where"] = where
            if list_name == "documents":
                for key in ("mandatory",):
                    if data.get(key) is None:
                        data[key] = True
            rows = record.values[list_name] = record.values[list_name] or []
            rows.append(data)
    wb.close()
    if errors:
        raise InvalidInput(
            "Tệp nhập có dòng lỗi, chưa thay đổi gì. "
            + "; ".join(errors[:20])
            + ("…" if len(errors) > 20 else ""),
            code="import_invalid",
            details={"errors": errors},
        )
    # Row errors inside child rows are reported with their own row by validate_record.
    return list(records.values())


def export_xlsx(path: str | Path, procedures=None) -> int:
    """Write the catalogue (or ``procedures``) in the layout ``records_from_xlsx`` reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    from motcua.lib.spreadsheets import append_row

    if procedures is None:
        procedures = Procedure.objects.all()
    procedures = procedures.select_related("field").prefetch_related(
        "fees", "documents", "results", "legal_bases"
    )
    wb = Workbook()
    sheets = {}
    for index, (sheet, (_, columns)) in enumerate(SHEETS.items()):
        # A new workbook's active sheet, then new sheets: worksheets, not chart sheets.
        ws = cast(Worksheet, wb.active if index == 0 else wb.create_sheet())
        ws.title = sheet
        ws.append([h for _, h, _ in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        sheets[sheet] = ws
    count = 0
    for p in procedures.order_by("code"):
        count += 1
        row = {
            **{k: getattr(p, k) for k in services.SCALAR_FIELDS},
            "code": p.code,
            "field_name": p.field.name,
            "field_code": p.field.code,
            "managing_ministry": p.field.managing_ministry,
            "demo_values": p.demo_values,
        }
        # Text typed into the catalogue is written as text, never as a live formula (OWASP).
        append_row(
            sheets[SHEET_PROCEDURES], [_cell_out(row.get(k), kind) for k, _, kind in PROCEDURE_COLUMNS]
        )
        for sheet, (list_name, columns) in SHEETS.items():
            if list_name is None:
                continue
            for item in services.child_dicts(p, list_name):
                item = {**item, "procedure": p.code}
                append_row(sheets[sheet], [_cell_out(item.get(k), kind) for k, _, kind in columns])
    wb.save(path)
    return count


def import_reference_data(*, actor=None, dry_run: bool = False) -> ImportReport:
    """Import the procedures shipped in ``data/procedures.json``."""
    return import_file(DATA_FILE, actor=actor, dry_run=dry_run)
