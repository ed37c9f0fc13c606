"""Dossier transitions: the only write path for dossiers (pages, API, admin and commands call these).

Every transition is one function named for its verb. It runs in one transaction that:

1. locks the dossier row (``select_for_update``) and compares its ``version`` with the
   ``expected_version`` the actor saw: a mismatch is ``Conflict(code="stale")`` and nothing is
   written; the final UPDATE is also conditional on the version (``WHERE version = …``), so
   two writers can never both succeed, even on SQLite where row locks do not exist;
2. checks the state (``Conflict`` naming the current state) and the actor's role on the agency
   concerned (``Forbidden``; a supervisor never acts);
3. writes the dossier, the control-slip step (``DossierStep``), a dated ``DossierEvent``, an
   audit event on the acting agency's chain and, for a status change, an ``OutboxMessage`` for
   the applicant.

Services take the acting user and plain values; what they need of the request, the client's
address, comes as ``ip`` (``motcua.lib.clients.client_ip``).

Deadlines (domain.md):
- the appointment counts ``amount`` ``unit`` (the offering's local time where set; the online
  time for channel 2 where set) from reception on the handling agency's working calendar,
  with the procedure's counting rule; everything needed is copied into ``procedure_snapshot``
  at reception so later catalogue edits do not change the dossier's rules;
- each step is due ``budget_hours`` working hours after it starts (handling agency's calendar);
- a supplement requested during processing restarts the clock from the moment the supplement
  is received (policy ``restart``, the default) or shifts the appointment by the working time
  paused (policy ``pause``); the second request sets ``supplement_flagged``. A request made
  more than 3 working days after reception is *allowed but flagged* in the event and audit
  data (``late_request``): refusing it would leave the officer without a lawful way to ask
  for what is missing; the report can count such requests;
- a dossier guided at reception (``intake_supplement``, Mẫu 02) keeps its code: when the
  applicant comes back, ``dossier_receive`` receives that dossier and the appointment counts
  from this reception; a second guidance is *allowed but flagged* (``repeat_guidance``, Decree
  61 art. 15(3): guide once); one never completed is closed after
  ``MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS`` (``dossier_close_guidance``) as not received;
- a payment request pauses the clock (financial obligations are not processing time);
- one extension at most, decided at least 1 working day before the appointment, with the
  apology recorded (``DossierExtension``, form 04);
- early / on time / late is frozen on each step when it ends and on the dossier when it
  finishes (``timeliness``), never recomputed.

Where each rule lives:

- ``rules``: who may do what, in which state (``RULES``, ``action_permitted``);
- ``frame``: lock, version, the write with its event, audit and notice (``finish``);
- ``intake``: the input of a reception checked once for every channel (``IntakeData``);
- ``reception``: codes, PINs, the appointment and first step, the rows of a new reception;
- ``steps``: the control slip's steps and their budgets;
- ``transitions_intake``, ``transitions_processing``, ``transitions_closing``: the verbs, by phase;
- ``records``: comments and attached files;
- ``online``, ``online_input``: what a citizen does online (submit, supplement, withdraw) and
  its input (files, submitter, the authority document).
"""

from motcua.dossiers.services.frame import STALE_MESSAGE
from motcua.dossiers.services.intake import (
    MAX_SUPPLEMENT_ITEMS,
    ApplicantData,
    DocumentInput,
    IntakeData,
    SupplementItem,
    applicant_problems,
    supplement_item_problem,
    validate_citizen_id,
)
from motcua.dossiers.services.online import (
    dossier_submit_online,
    dossier_supplement_online,
    dossier_withdraw_online,
    supplement_expires_at,
)
from motcua.dossiers.services.online_input import AUTHORITY_CODE, AUTHORITY_NAME, StoredFileRef, SubmitterData
from motcua.dossiers.services.reception import RULES_VERSION
from motcua.dossiers.services.records import dossier_add_comment, dossier_attach_file
from motcua.dossiers.services.rules import ACTION_LABELS, RULES, Roles, State, action_permitted
from motcua.dossiers.services.transitions_closing import (
    dossier_extend,
    dossier_finish,
    dossier_record_payment,
    dossier_request_payment,
    dossier_return_result,
    dossier_stop,
    dossier_withdraw,
)
from motcua.dossiers.services.transitions_intake import (
    dossier_close_guidance,
    dossier_receive,
    dossier_refuse,
    dossier_request_supplement,
    guidance_expires_at,
    guidance_expiry_days,
)
from motcua.dossiers.services.transitions_processing import (
    dossier_approve,
    dossier_assign,
    dossier_forward,
    dossier_receive_supplement,
    dossier_reject,
    dossier_send_back,
)

__all__ = [
    "ACTION_LABELS",
    "AUTHORITY_CODE",
    "AUTHORITY_NAME",
    "MAX_SUPPLEMENT_ITEMS",
    "RULES",
    "RULES_VERSION",
    "STALE_MESSAGE",
    "ApplicantData",
    "DocumentInput",
    "IntakeData",
    "Roles",
    "State",
    "StoredFileRef",
    "SubmitterData",
    "SupplementItem",
    "action_permitted",
    "applicant_problems",
    "dossier_add_comment",
    "dossier_approve",
    "dossier_assign",
    "dossier_attach_file",
    "dossier_close_guidance",
    "dossier_extend",
    "dossier_finish",
    "dossier_forward",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_record_payment",
    "dossier_refuse",
    "dossier_reject",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_stop",
    "dossier_submit_online",
    "dossier_supplement_online",
    "dossier_withdraw",
    "dossier_withdraw_online",
    "guidance_expires_at",
    "guidance_expiry_days",
    "supplement_expires_at",
    "supplement_item_problem",
    "validate_citizen_id",
]
