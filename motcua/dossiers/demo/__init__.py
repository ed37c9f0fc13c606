"""Demo dossiers loaded by ``make run``: six weeks of a province's real daily volume (about
6,500), in every state.

Each place that receives dossiers has its day (``context``): the provincial public service
centre 85–100 dossiers a full working day, as a district-level centre receives (domain.md), for
the departments; each commune's centre a few to a couple of dozen, the busiest ward the most,
and those open on Saturday mornings half a day then. They arrive over the opening sessions,
mornings busier; today's stop at ``now``, so today is a day in progress. The applicant fits the
procedure (``applicants.organisations_for``: a company registers itself, nobody's birth).

Each dossier is *simulated* from its submission to now with the real working calendars: it is
received (or refused, or sent back for a supplement at intake), goes through the steps of its
procedure's default process template, may wait for a supplement (restart or pause according to
the procedure's policy; a second request is flagged) or a payment, may be extended with an
apology, withdrawn or stopped, and is approved (or rejected), finished and returned. The
simulation stops at ``now``: whatever state the dossier has reached then is its state, so old
dossiers are mostly returned and recent ones open. Each commune and department has its own
share of dossiers that overrun their appointment, so late rates are uneven (a few per cent at
some communes, a quarter at others).

Every action is done by who may do it (issue 9 item 3): the counter's (reception, guidance,
supplement received, withdrawal, finished result, return) by a receptionist of the receiving
agency; a step's by the officer it is assigned to, who has the step's role at the step's agency;
approval and rejection by the leader holding the approval step; a stop or an extension by the
handling agency's leader. A procedure is simulated at a place only when every step of its
process has such an officer there (a department without staff receives no demo dossiers).

The rows are written in bulk (``executemany`` in one transaction), not through the services
(thousands of dossiers through the services would not load within ``make run``'s start-up
time), but they are the rows the services produce: dossier codes gapless per receiving agency
and day with their ``DailySequence`` rows, appointments from ``add_working_time``, one
``DossierStep`` per hand-over (the control slip), pauses, extensions and the dated
``DossierEvent`` history. No audit events are written for them (the audit chain only records
what the application did; ``manage.py audit_verify`` passes after the demo).

The package, one concern a module, in the order a dossier meets them:

- ``context``: the static context (desks with their daily volume, sites with their late share,
  procedures with their process steps, staff by role, working calendars and opening sessions)
  and weighted draws.
- ``applicants``: the people and organisations who apply (names, citizen IDs, addresses), and
  which organisations a procedure admits.
- ``plan``: the plan of a dossier's life, drawn before it is lived (``Plan``, ``draw_plan``).
- ``clock``: working-time steps of the simulation (``HOUR``, ``DAY``, ``plus``, ``shift``).
- ``record``: what a life writes (the dossier's fields, steps, pauses, events) and the
  bookkeeping every phase uses.
- ``setbacks``: supplements, withdrawal, stop, apology and extension, payment.
- ``processing``: reception, the steps of the process template, the decision, the return.
- ``life``: ``Life``, one dossier from its submission to ``now`` (intake, then processing).
- ``writing``: dossier codes and the bulk writing of the rows.
- ``build``: the arrivals of each day, the entry points ``build_demo_dossiers`` and
  ``demo_dossiers_exist``.
- ``report``: what ``demo_load`` prints for the staff (today's and yesterday's dossiers, open,
  overdue and late share per receiving place).

Deterministic for a given ``seed`` and ``now``; running it again when demo dossiers exist
changes nothing. Refused when DEBUG is off (outside tests).
"""

from motcua.dossiers.demo.build import build_demo_dossiers, demo_dossiers_exist
from motcua.dossiers.demo.writing import DEMO_KEY_PREFIX

__all__ = ["DEMO_KEY_PREFIX", "build_demo_dossiers", "demo_dossiers_exist"]
