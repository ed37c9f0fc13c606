"""Importing administrative units from the package vietnam-provinces."""

import pytest
from django.core.management import CommandError, call_command

from motcua.audit.models import AuditEvent
from motcua.lib.errors import InvalidInput
from motcua.org import services
from motcua.org.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

TWO_LEVEL = AdministrativeUnit.Scheme.TWO_LEVEL
LEGACY = AdministrativeUnit.Scheme.THREE_LEVEL


def test_it_imports_a_province_and_its_communes_in_the_2025_shape():
    report = services.admin_units_import(scheme="2025", province="08")

    province = AdministrativeUnit.objects.get(scheme=TWO_LEVEL, code="08")
    assert (province.name, province.level, province.division_type) == ("Tỉnh Tuyên Quang", "province", "Tỉnh")
    ward = AdministrativeUnit.objects.get(scheme=TWO_LEVEL, code="02215")
    assert (ward.name, ward.level, ward.division_type, ward.parent_id) == (
        "Phường Minh Xuân",
        "commune",
        "Phường",
        province.pk,
    )
    assert province.children.count() == 124
    assert report.counts["2025"]["province"].created == 1
    assert report.counts["2025"]["commune"].created == 124


def test_it_imports_the_three_level_shape_with_districts():
    services.admin_units_import(scheme="legacy", province=8)

    province = AdministrativeUnit.objects.get(scheme=LEGACY, code="08")
    districts = AdministrativeUnit.objects.filter(scheme=LEGACY, parent=province)
    assert districts.count() == 7
    assert set(districts.values_list("level", flat=True)) == {"district"}
    commune = AdministrativeUnit.objects.filter(scheme=LEGACY, parent__in=districts).first()
    assert commune.level == "commune"
    assert commune.parent.parent_id == province.pk


def test_it_is_idempotent_and_repairs_a_changed_name():
    services.admin_units_import(scheme="2025", province="08")
    AdministrativeUnit.objects.filter(scheme=TWO_LEVEL, code="02215").update(name="Phường Cũ")
    events_before = AuditEvent.objects.count()

    report = services.admin_units_import(scheme="2025", province="08")

    assert report.created == 0
    assert report.updated == 1
    assert report.counts["2025"]["commune"].unchanged == 123
    assert AdministrativeUnit.objects.get(scheme=TWO_LEVEL, code="02215").name == "Phường Minh Xuân"
    assert AuditEvent.objects.count() == events_before + 1
    assert services.admin_units_import(scheme="2025", province="08").updated == 0
    assert AuditEvent.objects.count() == events_before + 1


def test_it_imports_the_whole_country_in_both_shapes_quickly(django_assert_max_num_queries):
    with django_assert_max_num_queries(120):
        report = services.admin_units_import(scheme="all")

    assert report.totals("2025").created == AdministrativeUnit.objects.filter(scheme=TWO_LEVEL).count() > 3300
    assert AdministrativeUnit.objects.filter(scheme=TWO_LEVEL, level="province").count() == 34
    assert AdministrativeUnit.objects.filter(scheme=LEGACY, level="province").count() == 63
    assert AdministrativeUnit.objects.filter(scheme=LEGACY, level="commune").count() > 10000
    assert not AdministrativeUnit.objects.filter(level="commune", parent__isnull=True).exists()


def test_it_rejects_an_unknown_scheme_or_province():
    with pytest.raises(InvalidInput, match="Mô hình"):
        services.admin_units_import(scheme="1976")
    with pytest.raises(InvalidInput, match="mã 77"):
        services.admin_units_import(scheme="2025", province="77")
    with pytest.raises(InvalidInput, match="cần một số"):
        services.admin_units_import(scheme="2025", province="TQ")


def test_the_command_reports_created_and_updated_counts(capsys):
    call_command("import_admin_units", "--scheme", "2025", "--province", "08")
    call_command("import_admin_units", "--province", "08")

    out = capsys.readouterr().out
    assert "xã/phường/đặc khu: 124 — tạo mới 124, cập nhật 0, không đổi 0" in out
    assert "xã/phường/đặc khu: 124 — tạo mới 0, cập nhật 0, không đổi 124" in out


def test_the_command_fails_with_the_vietnamese_message():
    with pytest.raises(CommandError, match="Không có tỉnh/thành phố mã 77"):
        call_command("import_admin_units", "--province", "77")
