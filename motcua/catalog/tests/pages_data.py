"""Catalogue data for page and browser tests: the real reference procedures, offered by two agencies."""

from motcua.catalog.demo import build_demo_catalog
from motcua.org.models import Agency
from motcua.org.services import agency_create


def load_catalogue_for_pages() -> dict[str, Agency]:
    province = agency_create(
        code="000.00.00.H99", name="Ủy ban nhân dân tỉnh Mẫu", kind=Agency.Kind.PEOPLES_COMMITTEE
    )
    department = agency_create(
        code="000.00.12.H99", name="Sở Tư pháp tỉnh Mẫu", kind=Agency.Kind.DEPARTMENT, parent=province
    )
    commune = agency_create(
        code="000.21.30.H99",
        name="Ủy ban nhân dân xã Hòa Bình",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        parent=province,
        address="Số 1 đường Trần Phú, xã Hòa Bình",
    )
    build_demo_catalog(offering_agencies={"commune": [commune], "province": [department]})
    return {"province": province, "department": department, "commune": commune}


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
