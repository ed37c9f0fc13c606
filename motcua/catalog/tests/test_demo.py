import io
from decimal import Decimal

import pytest

from motcua.audit.models import AuditEvent
from motcua.catalog.demo import build_demo_catalog, demo_steps
from motcua.catalog.models import Offering, Procedure, ProcessTemplate
from motcua.catalog.tests.factories import make_agency

pytestmark = pytest.mark.django_db


def test_demo_steps_add_up_exactly():
    steps = demo_steps(Decimal(8))
    assert [s["budget_hours"] for s in steps] == [
        Decimal("0.80"),
        Decimal("4.80"),
        Decimal("1.60"),
        Decimal("0.80"),
    ]
    assert sum(s["budget_hours"] for s in demo_steps(Decimal(216))) == 216


def test_the_demo_catalogue_is_complete_labelled_offered_and_idempotent():
    communes = [make_agency(code=f"000.00.3{i}.H13", name=f"UBND xã {i}") for i in range(2)]
    centre = make_agency(
        code="000.00.00.H13", name="Trung tâm Phục vụ hành chính công", kind="service_centre"
    )
    out = io.StringIO()
    summary = build_demo_catalog(offering_agencies={"commune": communes, "province": [centre]}, stdout=out)
    assert summary["imported"] == 87 and summary["demo_filled"] == 65
    assert "87 thủ tục" in out.getvalue()
    assert not Procedure.objects.filter(incomplete=True).exists()

    khai_sinh = Procedure.objects.get(code="1.001193")
    assert khai_sinh.demo_values == ["time_unit"] and khai_sinh.processing_time == 1
    assert Procedure.objects.get(code="1.013978").demo_values == []  # complete in the source
    partial = Procedure.objects.get(code="1.010801")
    assert partial.demo_values == ["processing_time", "time_unit", "fees", "documents", "results"]
    assert "giá trị minh họa" in partial.documents.get().name

    for template in ProcessTemplate.objects.prefetch_related("steps", "procedure"):
        total = sum(s.budget_hours for s in template.steps.all())
        assert total == template.procedure.time_in_working_hours()
    assert ProcessTemplate.objects.count() == 87
    commune_level = Procedure.objects.filter(level="commune").count()
    # The centre is named by no province-level record: it offers none of them.
    assert Offering.objects.count() == 2 * commune_level

    events = AuditEvent.objects.count()
    again = build_demo_catalog(offering_agencies={"commune": communes, "province": [centre]})
    assert again == {"imported": 0, "updated": 0, "demo_filled": 0, "templates": 0, "offerings": 0}
    assert AuditEvent.objects.count() == events


def test_province_procedures_are_offered_where_their_record_says_only():
    communes = [make_agency(code="000.00.30.H13", name="UBND xã Một")]
    finance = make_agency(code="000.00.14.H13", name="Sở Tài chính tỉnh Mẫu", kind="department")
    justice = make_agency(code="000.00.11.H13", name="Sở Tư pháp tỉnh Mẫu", kind="department")
    police = make_agency(code="000.00.15.H13", name="Công an tỉnh Mẫu", kind="vertical")
    build_demo_catalog(offering_agencies={"commune": communes, "province": [finance, justice, police]})
    offered = {
        code: sorted(Offering.objects.filter(procedure__code=code).values_list("agency__name", flat=True))
        for code in ("3.000333", "2.001610", "1.010801")
    }
    assert offered == {
        "3.000333": ["Công an tỉnh Mẫu"],  # Lý lịch tư pháp: "Công an tỉnh", not every department
        "2.001610": ["Sở Tài chính tỉnh Mẫu"],
        "1.010801": [],  # Sở Nội vụ is not among them
    }
    assert not Offering.objects.filter(agency=justice).exists()
