"""Bad input at intake: a clear Vietnamese message, the right error, and nothing written."""

import dataclasses
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import DailySequence, Dossier
from motcua.dossiers.services import ApplicantData, DocumentInput
from motcua.dossiers.tests.conftest import intake
from motcua.lib.errors import Forbidden, InvalidInput, NotFound, Unprocessable
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _nothing_written():
    assert Dossier.objects.count() == 0
    assert DailySequence.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="dossier.").exists()


def _person(**kw):
    values = {
        "kind": "person",
        "name": "Trần Văn Bình",
        "citizen_id": "001190012345",
        "date_of_birth": date(1990, 1, 1),
    }
    values.update(kw)
    return ApplicantData(**values)


@pytest.mark.parametrize(
    ("overrides", "error", "code", "words"),
    [
        ({"procedure": "0.000000"}, NotFound, "procedure_not_found", "Không tìm thấy thủ tục"),
        ({"receiving_agency": "999.99.99.H99"}, NotFound, "agency_not_found", "Không tìm thấy cơ quan"),
        ({"channel": 7}, InvalidInput, "invalid_input", "Kênh nộp"),
        ({"result_delivery": "drone"}, InvalidInput, "invalid_input", "Hình thức nhận kết quả"),
        ({"applicant": _person(citizen_id="00119001234")}, InvalidInput, "citizen_id_invalid", "12 chữ số"),
        ({"applicant": _person(citizen_id="999190012345")}, InvalidInput, "citizen_id_invalid", "mã tỉnh"),
        (
            {"applicant": _person(citizen_id="001085012345")},
            InvalidInput,
            "citizen_id_invalid",
            "năm sinh 1990",
        ),
        ({"applicant": _person(name="  ")}, InvalidInput, "required", "họ và tên"),
        ({"applicant": _person(phone="12345")}, InvalidInput, "phone_invalid", "Số điện thoại"),
        ({"applicant": _person(email="khong-phai-email")}, InvalidInput, "email_invalid", "thư điện tử"),
        (
            {"applicant": ApplicantData(kind="organisation", name="Công ty TNHH Hòa Bình", tax_code="12345")},
            InvalidInput,
            "tax_code_invalid",
            "Mã số thuế",
        ),
        (
            {
                "applicant": ApplicantData(
                    kind="organisation", name="Công ty TNHH Hòa Bình", representative="An"
                )
            },
            InvalidInput,
            "required",
            "mã số thuế",
        ),
        (
            {
                "applicant": ApplicantData(
                    kind="organisation", name="Công ty TNHH Hòa Bình", tax_code="0101234567"
                )
            },
            InvalidInput,
            "required",
            "người đại diện",
        ),
        ({"documents": [DocumentInput("TP01")]}, InvalidInput, "documents_missing", "TP02"),
        ({"documents": [DocumentInput("TP99")]}, InvalidInput, "document_unknown", "TP99"),
        (
            {"documents": [DocumentInput("TP01", "scan"), DocumentInput("TP02")]},
            InvalidInput,
            "invalid_input",
            "Loại bản",
        ),
        (
            {"documents": [DocumentInput("TP01", count=0), DocumentInput("TP02")]},
            InvalidInput,
            "invalid_input",
            "Số lượng",
        ),
    ],
)
def test_bad_intake_is_refused_with_a_clear_message_and_nothing_written(
    world, frozen, overrides, error, code, words
):
    with pytest.raises(error) as caught:
        services.dossier_receive(actor=world.receptionist, data=intake(world, **overrides))
    assert caught.value.code == code
    assert words in caught.value.message
    _nothing_written()


def test_a_procedure_the_agency_does_not_offer_is_refused(world, frozen):
    with pytest.raises(InvalidInput) as caught:
        services.dossier_receive(actor=world.outsider, data=intake(world, receiving_agency="000.01.32.H99"))
    assert caught.value.code == "procedure_not_offered"
    assert "không giải quyết thủ tục 9.000101" in caught.value.message
    _nothing_written()


def test_only_a_receptionist_of_the_receiving_agency_may_receive(world, frozen):
    for actor in (world.outsider, world.supervisor, world.specialist, world.dept_specialist):
        with pytest.raises(Forbidden):
            services.dossier_receive(actor=actor, data=intake(world))
    _nothing_written()


def test_an_organisation_applicant_is_received_with_its_tax_code(world, frozen):
    d = services.dossier_receive(
        actor=world.receptionist,
        data=intake(
            world,
            applicant=ApplicantData(
                kind="organisation",
                name="Công ty TNHH Hòa Bình",
                tax_code="0101234567-001",
                representative="Lê Văn Đại",
                email="lienhe@hoabinh.vn",
            ),
        ),
    )
    assert (d.applicant_kind, d.tax_code, d.citizen_id) == ("organisation", "0101234567-001", "")
    assert OutboxMessage.objects.filter(dossier=d).values_list("channel", flat=True).get() == "email"


def test_a_phone_with_the_country_code_is_stored_in_the_national_form(world, frozen):
    d = services.dossier_receive(
        actor=world.receptionist, data=intake(world, applicant=_person(phone="+84 912 345 678"))
    )
    assert d.phone == "0912345678"


def test_an_idempotency_key_makes_a_retry_return_the_same_dossier(world, frozen):
    first = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-1")
    again = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-1")
    other = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-2")
    assert again.pk == first.pk and other.pk != first.pk
    assert Dossier.objects.count() == 2
    assert DailySequence.objects.get().last_number == 2


def test_an_idempotency_key_sent_again_with_another_applicant_is_refused(world, frozen):
    first = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-1")
    assert len(Dossier.objects.get(pk=first.pk).idempotency_fingerprint) == 64
    other = intake(world, applicant=dataclasses.replace(intake(world).applicant, name="Trần Văn Bình"))
    with pytest.raises(Unprocessable) as caught:
        services.dossier_receive(actor=world.receptionist, data=other, idempotency_key="k-1")
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")
    assert caught.value.details == {"dossier": first.code}
    assert first.code in caught.value.message and "khóa mới" in caught.value.message
    # Other documents are another request too; the same request again is a retry.
    fewer = intake(world, documents=intake(world).documents[:1] + [DocumentInput("TP02", "original", 2)])
    with pytest.raises(Unprocessable):
        services.dossier_receive(actor=world.receptionist, data=fewer, idempotency_key="k-1")
    again = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-1")
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1 and DailySequence.objects.get().last_number == 1


def test_a_dossier_received_before_fingerprints_were_kept_is_still_returned_on_retry(world, frozen):
    first = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-1")
    Dossier.objects.filter(pk=first.pk).update(idempotency_fingerprint="")
    again = services.dossier_receive(actor=world.receptionist, data=intake(world), idempotency_key="k-1")
    assert again.pk == first.pk


def test_pins_use_an_unambiguous_alphabet(world, frozen):
    pins = {services.dossier_receive(actor=world.receptionist, data=intake(world)).pin for _ in range(5)}
    assert len(pins) == 5
    for pin in pins:
        assert len(pin) == 6 and not set(pin) & set("IO01")


def test_one_reception_issues_at_most_15_sql_statements(world, frozen):
    services.dossier_receive(actor=world.receptionist, data=intake(world))  # warm the chain head and caches
    with CaptureQueriesContext(connection) as ctx:
        services.dossier_receive(actor=world.receptionist, data=intake(world))
    # The test itself runs inside a transaction: the service's atomic block is a savepoint here.
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 15, "\n".join(s[:100] for s in statements)


def test_citizen_id_checks_province_century_and_year():
    assert services.validate_citizen_id("079203001234", date(2003, 7, 1)) == "079203001234"
    assert services.validate_citizen_id("001 190 012 345") == "001190012345"
    with pytest.raises(InvalidInput):
        services.validate_citizen_id("079203001234", date(1903, 7, 1))
    with pytest.raises(InvalidInput):
        services.validate_citizen_id("003190012345")  # 003 is no province


def test_the_counter_check_follows_memberships_subtrees_and_offerings(world, frozen):
    from motcua.catalog.models import Offering
    from motcua.org.models import Membership
    from motcua.org.testing import make_staff

    tree = world.tree
    # A receptionist of the commune with its subtree receives at the commune's one-stop unit;
    # without the subtree, or once the membership is withdrawn, not any more.
    inherited = make_staff("lt_xa_a", tree.commune_a, "receptionist", full_name="Lê Kế Thừa")
    d = services.dossier_receive(actor=inherited, data=intake(world))
    assert (d.receiving_agency, d.handling_agency) == (tree.one_stop_a, tree.commune_a)
    narrow = make_staff("lt_hep", tree.commune_a, "receptionist", include_subtree=False)
    with pytest.raises(Forbidden):
        services.dossier_receive(actor=narrow, data=intake(world))
    Membership.objects.filter(user=inherited).update(active=False)
    with pytest.raises(Forbidden):
        services.dossier_receive(actor=inherited, data=intake(world))
    # The handling agency named: the offering there, or none.
    d = services.dossier_receive(
        actor=world.receptionist, data=intake(world, handling_agency=" 000.00.31.h99")
    )
    assert d.handling_agency == tree.commune_a
    with pytest.raises(InvalidInput) as caught:
        services.dossier_receive(
            actor=world.receptionist, data=intake(world, handling_agency="000.00.32.H99")
        )
    assert caught.value.code == "procedure_not_offered"
    # An offering withdrawn (as the admin saves it) is not offered any more.
    for offering in Offering.objects.filter(agency=tree.commune_a):
        offering.active = False
        offering.save()
    with pytest.raises(InvalidInput) as caught:
        services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert caught.value.code == "procedure_not_offered"
    assert Dossier.objects.count() == 2


def test_a_reception_uses_the_catalogue_as_it_is_now(world, frozen):
    """Receptions read the procedure from a copy kept per process: a change through the services
    or the admin (a model save) is used by the very next reception."""
    from motcua.catalog import services as catalog_services
    from motcua.catalog.models import Offering, Procedure

    first = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert [s["name"] for s in first.procedure_snapshot["steps"]][0] == "Tiếp nhận hồ sơ"
    catalog_services.process_template_save(
        procedure=world.procedure,
        actor=None,
        steps=[
            {
                "name": "Tiếp nhận và thẩm định",
                "performer": "receiving_role",
                "role": "receptionist",
                "budget_hours": 32,
            },
            {"name": "Phê duyệt", "performer": "handling_role", "role": "leader", "budget_hours": 8},
        ],
    )
    second = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert [s["name"] for s in second.procedure_snapshot["steps"]] == ["Tiếp nhận và thẩm định", "Phê duyệt"]
    # The snapshot is the dossier's own: changing it leaves the next reception's alone.
    second.procedure_snapshot["steps"][0]["name"] = "sửa trong bộ nhớ"
    third = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert third.procedure_snapshot["steps"][0]["name"] == "Tiếp nhận và thẩm định"
    # The local time set on the offering in the admin shortens the next appointment.
    offering = Offering.objects.get(procedure=world.procedure)
    offering.local_time = 3
    offering.save()
    fourth = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert fourth.procedure_snapshot["time"] == 3
    # A procedure taken out of use in the admin is not found any more.
    procedure = Procedure.objects.get(pk=world.procedure.pk)
    procedure.active = False
    procedure.save()
    with pytest.raises(NotFound):
        services.dossier_receive(actor=world.receptionist, data=intake(world))
