"""The plan of a dossier's life, drawn before it is lived: its channel and result delivery, how
intake ends, whether it will be late, need supplements, be withdrawn or stopped, wait for a
payment, be rejected or extended, and when the result is collected. ``force`` bends the draw
towards a state (so that every state appears)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from motcua.dossiers.demo.context import Proc, Site, weighted
from motcua.dossiers.models import Dossier

State = Dossier.State


@dataclass
class Plan:
    channel: int
    delivery: str
    intake: str  # receive | refuse | intake_supplement
    intake_back: bool  # after an intake supplement, the applicant comes back and it is received
    review_hours: float
    late: bool
    ratio: float
    supplement: int  # 0, 1 or 2 requests
    supplement_never: bool
    stop_after_silence: bool
    withdraw: bool
    stop: bool
    payment: bool
    reject: bool
    extend: bool
    never_collect: bool
    collect_days: float


def draw_plan(rng: random.Random, site: Site, proc: Proc, force: str | None) -> Plan:
    r = rng.random()
    if not proc.online:
        channel = Dossier.Channel.COUNTER if r < 0.93 else Dossier.Channel.POST
    else:
        channel = (
            Dossier.Channel.COUNTER
            if r < 0.68
            else Dossier.Channel.ONLINE
            if r < 0.95
            else Dossier.Channel.POST
        )
    if force == State.SUBMITTED:
        channel = Dossier.Channel.ONLINE
    if channel == Dossier.Channel.ONLINE:
        delivery = weighted(rng, [("online", 45), ("counter", 40), ("post", 15)])
    elif channel == Dossier.Channel.POST:
        delivery = "post"
    else:
        delivery = weighted(rng, [("counter", 85), ("post", 15)])
    x = rng.random()
    online = channel == Dossier.Channel.ONLINE
    intake = (
        "refuse"
        if x < (0.05 if online else 0.025)
        else "intake_supplement"
        if x < (0.11 if online else 0.06)
        else "receive"
    )
    if force == State.REFUSED:
        intake = "refuse"
    elif force == State.INTAKE_SUPPLEMENT:
        intake = "intake_supplement"
    elif force is not None:
        intake = "receive"
    late = rng.random() < site.late
    ratio = rng.uniform(1.05, 1.9) if late else rng.uniform(0.3, 0.97)
    supplement = 0
    if rng.random() < 0.12 or force in (State.SUPPLEMENT, State.STOPPED):
        supplement = 2 if rng.random() < 0.2 else 1
    never = supplement > 0 and (rng.random() < 0.15 or force in (State.SUPPLEMENT, State.STOPPED))
    # Most dossiers whose supplement never comes are stopped after a few weeks' silence, so that an
    # inbox does not fill with dossiers waiting for ever.
    stop_after = never and (rng.random() < 0.85 or force == State.STOPPED) and force != State.SUPPLEMENT
    withdraw = not never and (rng.random() < 0.02 or force == State.WITHDRAWN)
    stop = not never and not withdraw and rng.random() < 0.012
    payment = (proc.has_fee and rng.random() < 0.25) or rng.random() < 0.04 or force == State.PAYMENT
    reject = rng.random() < 0.03
    extend = late and rng.random() < 0.4
    never_collect = rng.random() < 0.01 or force == State.FINISHED
    collect = min(20.0, rng.expovariate(1 / 1.5))
    return Plan(
        channel=int(channel),
        delivery=delivery,
        intake=intake,
        intake_back=rng.random() < 0.6 and force != State.INTAKE_SUPPLEMENT,
        review_hours=rng.uniform(0.5, 12) if force != State.SUBMITTED else 200.0,
        late=late,
        ratio=ratio,
        supplement=supplement,
        supplement_never=never,
        stop_after_silence=stop_after,
        withdraw=withdraw,
        stop=stop,
        payment=payment,
        reject=reject,
        extend=extend,
        never_collect=never_collect,
        collect_days=collect,
    )
