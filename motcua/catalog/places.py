"""Where a citizen hands a procedure in, and the office named in every public page's footer.

An offering names the agency that handles the procedure (a commune's People's Committee, a
department). Citizens hand dossiers in at the one-stop unit serving it: its own one-stop unit or
public service centre (a child agency of that kind); for a department, else the centre beside it
(the province's centre: a child of its parent); otherwise the agency itself. The place shows that unit's
address, phone and real opening hours (its WorkSchedule, Saturday mornings included), and
falls back on the handling agency's address and phone where the unit has none.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Length

from motcua.catalog.services import INTAKE
from motcua.lib.versioned import VersionedCache
from motcua.org.models import Agency
from motcua.workcalendar.opening import opening_hours

# The footer's office on every public page: under the catalogue's version (an agency's change
# reaches it), trusted for a minute without asking the shared cache, like the tracking's wording.
PLACES = VersionedCache(INTAKE.key, max_items=16, max_age=60, recheck_seconds=60)

RECEIVING_KINDS = (Agency.Kind.ONE_STOP, Agency.Kind.SERVICE_CENTRE)


@dataclass(frozen=True)
class Place:
    """Where to hand a dossier in for one handling agency."""

    agency: Agency  # handles the procedure (the offering's agency)
    office: Agency  # receives the dossier (its one-stop unit or centre, or itself)
    address: str
    phone: str
    hours: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.office.name

    @property
    def for_agency(self) -> str:
        """ "… tiếp nhận hồ sơ cho <agency>" when the office is not the agency itself."""
        return "" if self.office.pk == self.agency.pk else self.agency.name


def _receiving_units(agencies: list[Agency]) -> dict[int, list[Agency]]:
    """Active one-stop units and centres, by parent id, under the agencies or their parents."""
    parents = {a.pk for a in agencies} | {a.parent_id for a in agencies if a.parent_id}
    units: dict[int, list[Agency]] = {}
    for unit in Agency.objects.filter(parent_id__in=parents, kind__in=RECEIVING_KINDS, active=True).order_by(
        "path"
    ):
        units.setdefault(unit.parent_id or 0, []).append(unit)
    return units


def places_for(agencies: list[Agency]) -> list[Place]:
    """The places to hand in a dossier for each handling agency, in the agencies' order."""
    units = _receiving_units(agencies)
    places = []
    for agency in agencies:
        if agency.kind in RECEIVING_KINDS:
            office = agency
        else:
            own = units.get(agency.pk) or []
            if not own and agency.kind == Agency.Kind.DEPARTMENT:  # the province's centre
                own = units.get(agency.parent_id or 0) or []
            office = own[0] if own else agency
        places.append(
            Place(
                agency=agency,
                office=office,
                address=office.address or agency.address,
                phone=office.phone or agency.phone,
                hours=opening_hours(office.schedule_id),
            )
        )
    return places


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    phone: str
    email: str
    hours: tuple[str, ...]


def _build_public_office() -> Office | None:
    centre = (
        Agency.objects.filter(active=True, kind=Agency.Kind.SERVICE_CENTRE)
        .filter(~Q(address="") | ~Q(phone=""))
        .order_by(Length("path"), "path")
        .first()
    )
    if centre is None:
        return None
    return Office(
        name=centre.name,
        address=centre.address,
        phone=centre.phone,
        email=centre.email,
        hours=opening_hours(centre.schedule_id),
    )


def public_office() -> Office | None:
    """The province's public service centre (the top-most one with an address or a phone): the
    office every public page's footer names; None while no centre has either. Kept per process
    until an agency changes (``catalog_changed``; another process's change within a minute)."""
    return PLACES.get("public-office", _build_public_office)
