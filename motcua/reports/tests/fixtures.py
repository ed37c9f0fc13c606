"""A month of dossiers at commune A for the oversight pages: built through the real services at
frozen times, rolled up by the real engine. Fixture-able for the lead's end-to-end test:

    month = build_month(world, traveller)   # March 2026
"""

from dataclasses import dataclass

from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance, intake, vn
from motcua.reports import engine, snapshots

S = services.State


@dataclass
class Month:
    on_time: list  # returned before their appointment
    late: object  # returned after its appointment
    online: object  # received online, still processing
    refused: object
    open_late: object  # still processing, past its appointment on the 31st


def build_month(world, traveller) -> Month:
    traveller.move_to(vn(2026, 3, 2, 8))
    on_time = [advance(world, S.RETURNED) for _ in range(3)]
    refused = advance(world, S.REFUSED)
    # Received on 3 March, returned on the 20th: past its 5-working-day appointment.
    traveller.move_to(vn(2026, 3, 3, 8))
    late = advance(world, S.PROCESSING)
    open_late = advance(world, S.PROCESSING)
    traveller.move_to(vn(2026, 3, 20, 9))
    late = services.dossier_forward(
        actor=world.specialist, dossier=late, expected_version=late.version, officer=world.leader
    )
    late = services.dossier_approve(actor=world.leader, dossier=late, expected_version=late.version)
    late = services.dossier_finish(actor=world.receptionist, dossier=late, expected_version=late.version)
    late = services.dossier_return_result(
        actor=world.receptionist, dossier=late, expected_version=late.version, collected_by="Hoa"
    )
    traveller.move_to(vn(2026, 3, 27, 9))  # due in April: not late on the 31st
    online = advance(world, S.PROCESSING, data=intake(world, channel=2))
    # The close of 31 March: its snapshot judges the month (the pages read March as past).
    traveller.move_to(vn(2026, 3, 31, 17, 30))
    engine.apply_events()
    snapshots.take_snapshots()
    traveller.move_to(vn(2026, 4, 1, 8))
    return Month(on_time=on_time, late=late, online=online, refused=refused, open_late=open_late)


def march_query(**extra) -> str:
    parts = ["ky=thang-2026-3", *(f"{k}={v}" for k, v in extra.items())]
    return "&".join(parts)
