"""Demo dossiers loaded by ``make run``: about 2,000 over the past six months, in every state.

Each dossier is *simulated* from its submission to now with the real working calendars: it is
received (or refused, or sent back for a supplement at intake), goes through the steps of its
procedure's default process template, may wait for a supplement (restart or pause according to
the procedure's policy; a second request is flagged) or a payment, may be extended with an
apology, withdrawn or stopped, and is approved (or rejected), finished and returned. The
simulation stops at ``now``: whatever state the dossier has reached then is its state, so old
dossiers are mostly returned and recent ones open. Each commune and department has its own
share of dossiers that overrun their appointment, so late rates are uneven (a few per cent at
some communes, a quarter at others).

The rows are written in bulk (``bulk_create`` in batches, one transaction), not through the
services, but they are the rows the services produce: dossier codes gapless per receiving
agency and day with their ``DailySequence`` rows, appointments from ``add_working_time``, one
``DossierStep`` per hand-over (the control slip), pauses, extensions and the dated
``DossierEvent`` history. No audit events are written for them (the audit chain only records
what the application did; ``manage.py audit_verify`` passes after the demo).

The package, one concern a module, in the order a dossier meets them:

- ``context``: the static context (sites with their volume and late share, procedures with
  their process steps, staff by role, working calendars) and weighted draws.
- ``applicants``: the people and organisations who apply (names, citizen IDs, addresses).
- ``plan``: the plan of a dossier's life, drawn before it is lived (``Plan``, ``draw_plan``).
- ``clock``: working-time steps of the simulation (``HOUR``, ``DAY``, ``plus``, ``shift``).
- ``record``: what a life writes (the dossier's fields, steps, pauses, events) and the
  bookkeeping every phase uses.
- ``setbacks``: supplements, withdrawal, stop, apology and extension, payment.
- ``processing``: reception, the steps of the process template, the decision, the return.
- ``life``: ``Life``, one dossier from its submission to ``now`` (intake, then processing).
- ``writing``: dossier codes and the bulk writing of the rows.
- ``build``: the entry points, ``build_demo_dossiers`` and ``demo_dossiers_exist``.

Deterministic for a given ``seed`` and ``now``; running it again when demo dossiers exist
changes nothing. Refused when DEBUG is off (outside tests).
"""

from motcua.dossiers.demo.build import build_demo_dossiers, demo_dossiers_exist
from motcua.dossiers.demo.writing import DEMO_KEY_PREFIX

__all__ = ["DEMO_KEY_PREFIX", "build_demo_dossiers", "demo_dossiers_exist"]
