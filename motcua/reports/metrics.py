"""The counting rules, one place: which dossier events each roll-up counter counts.

Each metric is a condition on a ``dossiers.DossierEvent`` (and the dossier it belongs to: its
channel, its frozen timeliness, its supplement count). The roll-up engine counts them with one
``GROUP BY`` (``engine.py``), and the drill-down (``selectors.dossiers_behind``) lists the dossiers
that have such an event in the period: the same condition, so a number and its list agree.

The day of an event is its local date (Asia/Ho_Chi_Minh); the agency is the dossier's handling
agency. Rules (domain.md "What gets measured", legal-facts §5.2, contracts.md):

- finished: the result is ready (``finish``) or the answer "not granted" after appraisal
  (``reject``): both end processing (national status 9). Early / on time / late is the dossier's
  ``timeliness``, frozen when it finished on the handling agency's calendar (Circular 01/2018
  art. 13 ind. 1; a restart after a supplement counts the time again from zero, Decree 61
  art. 19(4)).
- national_late: the national portal's formula: more than one supplement request is late;
  a supplement *pauses* the clock (its time is subtracted from the original appointment)
  where the decree restarts it (``DossierClock``, computed once when the dossier finishes).
  A dossier late by the decree is late by the national formula too (a paused clock never gives
  more time than a restarted one).
- withdrawn counts only dossiers that were received (legal-facts §5.2).
- paid_online: ``DuocThanhToanTrucTuyen`` 1 (national portal) or 2 (province's gateway).
- e_result: the first e-result of a dossier (``…-KQ1``), so that it counts dossiers.
- digitised: a received dossier with at least one digitised component (read when the
  reception is counted).
"""

from django.db.models import Exists, OuterRef, Q

from motcua.dossiers.models import DossierDocument

RECEIVE = Q(action="receive")
FINISHED = Q(action__in=["finish", "reject"])
SUPPLEMENT_IN_PROCESSING = Q(action="request-supplement", data__has_key="count")
GUIDANCE = Q(action__in=["request_supplement", "request-supplement"], data__has_key="guidance")


def _national_clock_late() -> Q:
    # A lookup, not a join: only finished dossiers with one supplement have a clock.
    from motcua.reports.models import DossierClock

    return Q(Exists(DossierClock.objects.filter(dossier_id=OuterRef("dossier_id"), national_late=True)))


def national_late() -> Q:
    return FINISHED & (
        Q(dossier__timeliness="late") | Q(dossier__supplement_count__gte=2) | _national_clock_late()
    )


def _digitised() -> Exists:
    return Exists(DossierDocument.objects.filter(dossier_id=OuterRef("dossier_id"), digitised=True))


def event_metrics() -> dict[str, Q]:
    """Counter name → condition on a DossierEvent (the fields of ``models.EventCounters``)."""
    return {
        "received": RECEIVE,
        "received_online": RECEIVE & Q(dossier__channel=2),
        "received_postal": RECEIVE & Q(dossier__channel=3),
        "received_after_guidance": RECEIVE & Q(data__after_guidance=True),
        "digitised": RECEIVE & Q(_digitised()),
        "national_identity": RECEIVE & Q(dossier__national_identity=True),
        "refused": Q(action="refuse"),
        "guided": GUIDANCE,
        "guided_again": GUIDANCE & Q(data__guidance__gte=2),
        "guidance_lapsed": Q(action="close-guidance"),
        "supplement_requested": SUPPLEMENT_IN_PROCESSING,
        "supplement_second": SUPPLEMENT_IN_PROCESSING & Q(data__count__gte=2),
        "supplement_late_request": SUPPLEMENT_IN_PROCESSING & Q(data__late_request=True),
        "finished": FINISHED,
        "finished_early": FINISHED & Q(dossier__timeliness="early"),
        "finished_on_time": FINISHED & Q(dossier__timeliness="on_time"),
        "finished_late": FINISHED & Q(dossier__timeliness="late"),
        "finished_late_online": FINISHED & Q(dossier__timeliness="late", dossier__channel=2),
        "national_late": national_late(),
        "rejected": Q(action="reject"),
        "withdrawn": Q(action="withdraw", dossier__received_at__isnull=False),
        "stopped": Q(action="stop"),
        "extended": Q(action="extend"),
        "returned": Q(action="return-result"),
        "result_by_post": Q(action="return-result", dossier__result_delivery="post"),
        "paid": Q(action="record-payment"),
        "paid_online": Q(action="record-payment", data__paid_online__in=[1, 2]),
        "refunded": Q(action="refund-payment"),
        "e_result": Q(action="issue-e-result", data__result_code__endswith="-KQ1"),
        "posted": Q(action="post-consignment", data__status="created"),
    }


# The actions any metric counts (the engine reads only these events).
COUNTED_ACTIONS = (
    "receive",
    "finish",
    "reject",
    "refuse",
    "request_supplement",
    "request-supplement",
    "close-guidance",
    "withdraw",
    "stop",
    "extend",
    "return-result",
    "record-payment",
    "refund-payment",
    "issue-e-result",
    "post-consignment",
)

# Metrics read from the open-dossier snapshot (the state at the close of the period's last day).
SNAPSHOT_METRICS = ("open", "open_paused", "open_late", "open_late_national")
# Metrics read from the ratings.
RATING_METRICS = ("ratings", "satisfied", "unsatisfied", "latest_unsatisfied")

# Actions after which a dossier is no longer open.
ENDING_ACTIONS = ("finish", "reject", "withdraw", "stop", "refuse", "close-guidance")
