from decimal import Decimal

import pytest

from motcua.audit.models import AuditEvent
from motcua.catalog import services
from motcua.catalog.models import Offering, Procedure, ProcessTemplate, working_hours_in
from motcua.catalog.tests.factories import make_agency, make_procedure
from motcua.lib.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db

FOUR_STEPS_40H = [
    {"name": "Tiếp nhận", "performer": "receiving_role", "role": "receptionist", "budget_hours": 4},
    {"name": "Thẩm định", "performer": "handling_role", "role": "specialist", "budget_hours": 24},
    {"name": "Phê duyệt", "performer": "handling_role", "role": "leader", "budget_hours": 8},
    {"name": "Trả kết quả", "performer": "receiving_role", "role": "receptionist", "budget_hours": 4},
]


def test_it_creates_a_complete_procedure_with_a_stable_field_code_and_an_audit_event():
    procedure = make_procedure()
    assert procedure.field.code == "ho-tich"
    assert procedure.incomplete is False and procedure.missing == []
    assert procedure.documents.get().code == "TP01"
    assert AuditEvent.objects.filter(action="catalog.procedure_create", object_id=str(procedure.pk)).exists()
    assert set(procedure.tokens.values_list("token", flat=True)) >= {
        "thu",
        "tuc",
        "dang",
        "ky",
        "khai",
        "sinh",
    }


def test_it_refuses_a_second_procedure_with_the_same_code():
    make_procedure(code="1.001193")
    with pytest.raises(Conflict):
        make_procedure(code="1.001193")


def test_it_refuses_a_negative_processing_time():
    with pytest.raises(InvalidInput, match="số nguyên dương"):
        make_procedure(processing_time=-5)


def test_a_time_without_its_unit_keeps_the_number_and_marks_the_procedure_incomplete():
    procedure = make_procedure(time_unit=None, processing_time=1)
    assert procedure.processing_time == 1 and procedure.time_unit == ""
    assert procedure.incomplete is True
    assert procedure.missing == ["đơn vị của thời hạn giải quyết"]


def test_an_incomplete_procedure_cannot_be_offered_until_it_is_completed():
    agency = make_agency()
    procedure = make_procedure(time_unit=None, fees=[])
    assert procedure.missing == ["đơn vị của thời hạn giải quyết", "phí, lệ phí"]
    with pytest.raises(InvalidInput) as exc:
        services.offering_create(agency=agency, procedure=procedure, actor=None)
    assert "còn thiếu thông tin (đơn vị của thời hạn giải quyết, phí, lệ phí)" in exc.value.message
    assert not Offering.objects.exists()

    services.procedure_complete(
        procedure=procedure,
        actor=None,
        time_unit="working_days",
        fees=[{"amount_vnd": 8000, "text": "8.000 đồng"}],
    )
    procedure.refresh_from_db()
    assert procedure.incomplete is False and procedure.missing == [] and procedure.demo_values == []
    offering = services.offering_create(agency=agency, procedure=procedure, local_time=3, actor=None)
    assert offering.local_time == 3
    assert AuditEvent.objects.filter(action="catalog.offering_create").count() == 1


def test_completing_as_demo_labels_the_values_and_an_officer_value_replaces_the_label():
    procedure = make_procedure(time_unit=None)
    services.procedure_complete(procedure=procedure, actor=None, time_unit="working_days", demo=True)
    procedure.refresh_from_db()
    assert procedure.demo_values == ["time_unit"] and not procedure.incomplete
    services.procedure_complete(procedure=procedure, actor=None, time_unit="working_hours")
    procedure.refresh_from_db()
    assert procedure.demo_values == [] and procedure.time_unit == "working_hours"


def test_an_offering_cannot_be_longer_than_the_procedure_nor_made_twice():
    agency = make_agency()
    procedure = make_procedure(processing_time=5)
    with pytest.raises(InvalidInput, match=r"không được dài hơn thời hạn của thủ tục \(5 ngày làm việc\)"):
        services.offering_create(agency=agency, procedure=procedure, local_time=6, actor=None)
    services.offering_create(agency=agency, procedure=procedure, actor=None)
    with pytest.raises(Conflict):
        services.offering_create(agency=agency, procedure=procedure, actor=None)


@pytest.mark.parametrize(
    ("amount", "unit", "hours"),
    [
        (5, "working_days", 40),
        (36, "working_hours", 36),
        (7, "days", 40),  # one whole week: 5 working days
        (15, "days", 80),  # 2 weeks + 1 day: at least 10 working days
        (10, "days", 48),  # 1 week + 3 days: at least 6 working days
        (2, "days", 8),  # a weekend rolls to the next working day: at least one
        (1, "months", 160),  # 28 days: 20 working days
    ],
)
def test_working_hours_of_a_processing_time(amount, unit, hours):
    assert working_hours_in(amount, unit) == hours


def test_a_template_whose_budgets_add_up_is_saved_in_order_and_audited():
    procedure = make_procedure(processing_time=5)
    template = services.process_template_save(procedure=procedure, steps=FOUR_STEPS_40H, actor=None)
    assert [(s.order, s.name, s.budget_hours) for s in template.steps.all()] == [
        (1, "Tiếp nhận", Decimal("4.00")),
        (2, "Thẩm định", Decimal("24.00")),
        (3, "Phê duyệt", Decimal("8.00")),
        (4, "Trả kết quả", Decimal("4.00")),
    ]
    assert AuditEvent.objects.filter(action="catalog.process_template_save").count() == 1


def test_a_template_whose_budgets_do_not_add_up_is_refused_naming_both_totals():
    procedure = make_procedure(processing_time=5)
    steps = [dict(s) for s in FOUR_STEPS_40H]
    steps[1]["budget_hours"] = 20
    with pytest.raises(InvalidInput) as exc:
        services.process_template_save(procedure=procedure, steps=steps, actor=None)
    assert exc.value.message == (
        "Tổng thời gian các bước (36 giờ làm việc) khác thời hạn giải quyết của thủ tục "
        "(40 giờ làm việc = 5 ngày làm việc)."
    )
    assert exc.value.details == {"steps_total_hours": "36", "procedure_hours": "40"}
    assert not ProcessTemplate.objects.exists()


def test_a_template_for_calendar_days_adds_up_to_the_least_working_time_of_the_period():
    procedure = make_procedure(processing_time=15, time_unit="days")
    steps = [{"name": "Thẩm định", "performer": "handling_role", "role": "specialist", "budget_hours": 70}]
    with pytest.raises(InvalidInput) as exc:
        services.process_template_save(procedure=procedure, steps=steps, actor=None)
    assert exc.value.message == (
        "Tổng thời gian các bước (70 giờ làm việc) khác thời hạn giải quyết của thủ tục "
        "(80 giờ làm việc = 10 ngày làm việc ít nhất có trong 15 ngày)."
    )
    steps[0]["budget_hours"] = Decimal("80")
    assert services.process_template_save(procedure=procedure, steps=steps, actor=None).steps.count() == 1


def test_an_agency_variant_adds_up_to_the_agency_local_time_and_saving_again_replaces_the_steps():
    agency = make_agency()
    partner = make_agency(code="000.00.12.H13", name="Sở Tư pháp", kind="department")
    procedure = make_procedure(processing_time=5)
    services.offering_create(agency=agency, procedure=procedure, local_time=3, actor=None)
    steps = [
        {"name": "Tiếp nhận", "performer": "receiving_role", "role": "receptionist", "budget_hours": "4"},
        {
            "name": "Xác minh liên thông",
            "performer": "named_agency",
            "agency": partner,
            "budget_hours": "12.5",
        },
        {"name": "Phê duyệt", "performer": "handling_role", "role": "leader", "budget_hours": "7.5"},
    ]
    template = services.process_template_save(procedure=procedure, steps=steps, agency=agency, actor=None)
    assert template.steps.get(order=2).agency == partner
    template = services.process_template_save(
        procedure=procedure,
        steps=steps[:1]
        + [{"name": "Phê duyệt", "performer": "handling_role", "role": "leader", "budget_hours": 20}],
        agency=agency,
        actor=None,
    )
    assert ProcessTemplate.objects.filter(procedure=procedure, agency=agency, active=True).count() == 1
    assert template.steps.count() == 2


def test_an_inter_agency_step_must_name_its_agency_and_a_role_step_its_role():
    procedure = make_procedure(processing_time=1)
    with pytest.raises(InvalidInput, match="Bước 1: bước liên thông phải chỉ rõ cơ quan thực hiện"):
        services.process_template_save(
            procedure=procedure,
            steps=[{"name": "Liên thông", "performer": "named_agency", "budget_hours": 8}],
            actor=None,
        )
    with pytest.raises(InvalidInput, match="Bước 1: phải chọn vai trò thực hiện"):
        services.process_template_save(
            procedure=procedure,
            steps=[{"name": "Thẩm định", "performer": "handling_role", "budget_hours": 8}],
            actor=None,
        )


def test_a_template_needs_the_procedure_time_and_unit():
    procedure = make_procedure(time_unit=None)
    with pytest.raises(InvalidInput, match="chưa có đủ thời hạn giải quyết"):
        services.process_template_save(procedure=procedure, steps=FOUR_STEPS_40H, actor=None)


def test_renaming_a_procedure_updates_its_search_tokens_and_term_counts():
    from motcua.catalog.models import SearchTerm

    def counts():
        return dict(
            SearchTerm.objects.filter(term__in=["ket", "khai"]).values_list("term", "procedure_count")
        )

    procedure = make_procedure(code="9.000001", name="Đăng ký khai sinh")
    before = counts()
    services.procedure_update(procedure=procedure, actor=None, name="Đăng ký kết hôn")
    assert set(procedure.tokens.values_list("token", flat=True)) == {
        "dang",
        "ky",
        "ket",
        "hon",
        "9",
        "000001",
    }
    after = counts()
    assert after.get("ket", 0) == before.get("ket", 0) + 1
    assert after["khai"] == before["khai"] - 1
    assert Procedure.objects.get(pk=procedure.pk).name_folded == "dang ky ket hon"
