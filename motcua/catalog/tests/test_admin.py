import pytest
from django.contrib.auth import get_user_model

from motcua.audit.models import AuditEvent
from motcua.catalog.models import Offering, Procedure, ProcessTemplate
from motcua.catalog.tests.factories import make_agency, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(username="quantri", password="mat-khau-dai-123")
    client.force_login(user)
    return client


def test_the_admin_lists_incomplete_procedures_under_a_filter(admin_client):
    make_procedure("1.000001", "Thủ tục đầy đủ")
    make_procedure("1.000002", "Thủ tục thiếu đơn vị", time_unit=None)
    response = admin_client.get("/quan-tri/catalog/procedure/", {"thieu": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Thiếu thông tin" in text
    assert "1.000002" in text and "1.000001" not in text
    assert "đơn vị của thời hạn giải quyết" in text  # the "Còn thiếu" column


def test_the_admin_refuses_to_offer_an_incomplete_procedure(admin_client):
    agency = make_agency()
    procedure = make_procedure(time_unit=None)
    response = admin_client.post(
        "/quan-tri/catalog/offering/add/",
        {"agency": agency.pk, "procedure": procedure.pk, "local_time": "", "active": "on"},
    )
    assert response.status_code == 200
    assert "còn thiếu thông tin (đơn vị của thời hạn giải quyết)" in response.content.decode()
    assert not Offering.objects.exists()


def _template_post(procedure, hours: list[str]) -> dict:
    data = {
        "procedure": procedure.pk,
        "agency": "",
        "name": "Quy trình",
        "active": "on",
        "steps-TOTAL_FORMS": str(len(hours)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, h in enumerate(hours):
        data.update(
            {
                f"steps-{i}-order": str(i + 1),
                f"steps-{i}-name": f"Bước {i + 1}",
                f"steps-{i}-performer": "handling_role",
                f"steps-{i}-role": "specialist",
                f"steps-{i}-budget_hours": h,
            }
        )
    return data


def test_the_admin_checks_that_template_budgets_add_up(admin_client):
    procedure = make_procedure(processing_time=5)
    response = admin_client.post(
        "/quan-tri/catalog/processtemplate/add/", _template_post(procedure, ["8", "28"])
    )
    assert response.status_code == 200
    assert (
        "Tổng thời gian các bước (36 giờ làm việc) khác thời hạn giải quyết của thủ tục "
        "(40 giờ làm việc = 5 ngày làm việc)."
    ) in response.content.decode()
    assert not ProcessTemplate.objects.exists()

    response = admin_client.post(
        "/quan-tri/catalog/processtemplate/add/", _template_post(procedure, ["8", "32"])
    )
    assert response.status_code == 302
    assert ProcessTemplate.objects.get().steps.count() == 2
    assert AuditEvent.objects.filter(action="admin.add", object_type="catalog.processtemplate").exists()


def test_an_admin_edit_refreshes_search_and_completeness(admin_client):
    procedure = make_procedure(time_unit=None)
    data = {
        "code": procedure.code,
        "name": "Thủ tục cấp bản sao trích lục",
        "field": procedure.field_id,
        "level": "commune",
        "levels": "[]",
        "active": "on",
        "processing_time": "5",
        "time_unit": "working_days",
        "counting_rule": "elapsed",
        "supplement_policy": "restart",
        "postal_allowed": "unknown",
    }
    for prefix in ("documents", "fees", "results", "legal_bases"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    # Existing inline rows are kept as they are.
    for prefix, rel in (
        ("documents", procedure.documents),
        ("fees", procedure.fees),
        ("results", procedure.results),
    ):
        rows = list(rel.all())
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = str(row.pk)
            data[f"{prefix}-{i}-procedure"] = str(procedure.pk)
            for field in row._meta.fields:
                if field.name in ("id", "procedure", "template"):
                    continue
                value = getattr(row, field.attname)
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{i}-{field.name}"] = "on"
                elif isinstance(value, list):  # channels (checkboxes), alternatives (one a line)
                    data[f"{prefix}-{i}-{field.name}"] = (
                        "\n".join(value) if field.name == "alternatives" else value
                    )
                elif value is not None:
                    data[f"{prefix}-{i}-{field.name}"] = str(value)
    response = admin_client.post(f"/quan-tri/catalog/procedure/{procedure.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert procedure.incomplete is False and procedure.missing == []
    assert "trich" in set(procedure.tokens.values_list("token", flat=True))
