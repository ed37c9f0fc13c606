"""Builders for catalogue tests: real records of data/procedures.json and small complete procedures."""

import copy
import json
from functools import cache

from motcua.catalog import services
from motcua.catalog.importing import DATA_FILE, import_records, records_from_json
from motcua.catalog.models import Field, Procedure
from motcua.org.models import Agency


@cache
def _reference() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def reference_items(*codes: str) -> list[dict]:
    """Deep copies of the real records with these codes, in that order."""
    by_code = {p["code"]: p for p in _reference()["procedures"]}
    return [copy.deepcopy(by_code[c]) for c in codes]


def import_items(items: list[dict], **kwargs):
    return import_records(records_from_json({"procedures": items}), **kwargs)


def make_field(name: str = "Hộ tịch") -> Field:
    return services.field_get_or_create(name=name, managing_ministry="Bộ Tư pháp")


def make_procedure(
    code: str = "9.000001",
    name: str = "Thủ tục đăng ký khai sinh",
    *,
    field: Field | None = None,
    level: str = "commune",
    processing_time: int | None = 5,
    time_unit: str | None = "working_days",
    **values,
) -> Procedure:
    """A complete procedure: time, a free fee, one document, one result."""
    values.setdefault("fees", [{"amount_vnd": 0, "text": "Miễn phí"}])
    values.setdefault(
        "documents", [{"name": "Tờ khai đăng ký khai sinh theo mẫu", "original_count": 1, "mandatory": True}]
    )
    values.setdefault("results", [{"code": "KQ1", "name": "Giấy khai sinh"}])
    return services.procedure_create(
        actor=None,
        code=code,
        name=name,
        field=field or make_field(),
        level=level,
        processing_time=processing_time,
        time_unit=time_unit,
        **values,
    )


def make_agency(code: str = "000.00.31.H13", name: str = "UBND xã Tân Phú", kind: str = "peoples_committee"):
    return Agency.objects.create(code=code, name=name, kind=kind)
