"""Catalogue data for page and browser tests: the real reference procedures, offered by a commune,
a department and the provincial police (each province-level procedure only where its record
says it is implemented: Lý lịch tư pháp at the police)."""

from motcua.catalog.demo import build_demo_catalog
from motcua.org.models import Agency
from motcua.org.services import agency_create


def load_catalogue_for_pages() -> dict[str, Agency]:
    province = agency_create(
        code="000.00.00.H99", name="Ủy ban nhân dân tỉnh Mẫu", kind=Agency.Kind.PEOPLES_COMMITTEE
    )
    agency_create(
        code="000.00.01.H99",
        name="Trung tâm Phục vụ hành chính công tỉnh Mẫu",
        kind=Agency.Kind.SERVICE_CENTRE,
        parent=province,
        address="Số 2 đường Lê Lợi, phường Trung Tâm, tỉnh Mẫu",
        phone="0207 3822 000",
    )
    department = agency_create(
        code="000.00.12.H99", name="Sở Tài chính tỉnh Mẫu", kind=Agency.Kind.DEPARTMENT, parent=province
    )
    police = agency_create(
        code="000.00.15.H99",
        name="Công an tỉnh Mẫu",
        kind=Agency.Kind.VERTICAL,
        address="Số 8 đường Tân Trào, tỉnh Mẫu",
        phone="0207 3822 300",
    )
    commune = agency_create(
        code="000.21.30.H99",
        name="Ủy ban nhân dân xã Hòa Bình",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        parent=province,
        address="Số 1 đường Trần Phú, xã Hòa Bình",
        phone="0207 3831 100",
    )
    build_demo_catalog(offering_agencies={"commune": [commune], "province": [department, police]})
    return {"province": province, "department": department, "police": police, "commune": commune}


def clear_catalogue_for_pages() -> None:
    """Undo load_catalogue_for_pages (for module-scoped fixtures that commit their data)."""
    from django.db.models.functions import Length

    from motcua.audit.models import AuditChain, AuditEvent
    from motcua.catalog.models import Field, Offering, Procedure, ProcessTemplate

    Offering.objects.all().delete()
    ProcessTemplate.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    for agency in Agency.objects.annotate(depth=Length("path")).order_by("-depth"):
        agency.delete()
    AuditEvent.objects.all().delete()
    AuditChain.objects.all().delete()
