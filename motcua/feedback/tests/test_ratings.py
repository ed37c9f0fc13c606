"""Rating a dossier: when it may be rated, once per channel, who is rated, what the head of the
unit is told, and that officers see aggregates of five ratings or more only."""

from datetime import timedelta

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.feedback import selectors, services
from motcua.feedback.models import Rating
from motcua.feedback.tests.conftest import SATISFIED, UNSATISFIED
from motcua.lib.errors import Conflict, Forbidden, InvalidInput
from motcua.notifications.models import OutboxMessage

State = Dossier.State
Channel = Rating.Channel
Source = Rating.Source


def rate(dossier, data=SATISFIED, channel=Channel.ONLINE, source=Source.TRACKING, **kw):
    return services.rating_submit(dossier=dossier, channel=channel, source=source, data=data, **kw)


@pytest.mark.parametrize("state", [State.RETURNED, State.REFUSED, State.INTAKE_SUPPLEMENT])
def test_a_dossier_is_rated_once_served_and_the_officer_who_served_is_the_one_rated(world, frozen, state):
    dossier = advance(world, state)
    rating = rate(dossier)
    assert rating.officer == world.receptionist  # returned, refused or guided at the counter
    assert rating.agency == dossier.handling_agency
    assert rating.procedure == dossier.procedure
    assert rating.questionnaire_version == "DG-2026.1"
    assert rating.answers == {"contacts": "none", "agencies": "one_stop", "misconduct": "no"}
    assert rating.satisfied is True


@pytest.mark.parametrize("state", [State.RECEIVED, State.PROCESSING, State.FINISHED, State.SUBMITTED])
def test_a_dossier_not_yet_served_cannot_be_rated_and_nothing_is_recorded(world, frozen, state):
    dossier = advance(world, state)
    with pytest.raises(Conflict) as caught:
        rate(dossier)
    assert caught.value.code == "dossier_not_rateable"
    assert "chưa thể đánh giá" in caught.value.message
    assert not Rating.objects.exists()


def test_a_second_rating_on_one_channel_is_refused_clearly_and_the_first_kept(returned, frozen):
    rate(returned, SATISFIED)
    frozen.shift(timedelta(minutes=5))
    with pytest.raises(Conflict) as caught:
        rate(returned, UNSATISFIED, source=Source.MY_DOSSIERS)  # another online page: same channel
    assert caught.value.code == "rating_duplicate"
    assert "đã được đánh giá qua kênh “Trực tuyến” lúc 08:00 ngày 02/03/2026" in caught.value.message
    assert list(Rating.objects.values_list("satisfied", flat=True)) == [True]
    # Another channel is another rating.
    rate(returned, UNSATISFIED, channel=Channel.COUNTER, source=Source.DEVICE)
    assert Rating.objects.count() == 2


def test_an_incomplete_form_is_refused_with_each_missing_answer_named(returned):
    with pytest.raises(InvalidInput) as caught:
        rate(returned, {"contacts": "none", "agencies": "nowhere"})
    assert caught.value.details == {
        "agencies": "Vui lòng chọn một câu trả lời.",
        "misconduct": "Vui lòng chọn một câu trả lời.",
        "satisfied": "Vui lòng cho biết ông/bà có hài lòng hay không.",
    }
    assert not Rating.objects.exists()


def test_an_unsatisfied_rating_alerts_the_head_of_the_handling_unit_and_waits_in_their_inbox(world, returned):
    rating = rate(returned, UNSATISFIED)
    notices = OutboxMessage.objects.filter(event="feedback.unsatisfied")
    assert {(m.channel, m.recipient) for m in notices} == {("in_app", str(world.leader.pk))}
    assert "KHÔNG HÀI LÒNG" in notices[0].body and returned.code in notices[0].body
    assert list(selectors.unsatisfied_for(world.leader)) == [rating]
    # Not the officer rated, not a specialist, not another commune's head.
    assert not selectors.unsatisfied_for(world.receptionist).exists()
    assert not selectors.unsatisfied_for(world.specialist).exists()

    services.rating_mark_handled(actor=world.leader, rating_id=rating.pk, note="Đã gọi điện xin lỗi công dân")
    assert not selectors.unsatisfied_for(world.leader).exists()
    with pytest.raises(Conflict):  # a second head at the same time: told it is done
        services.rating_mark_handled(actor=world.leader, rating_id=rating.pk, note="Lần hai")
    rating.refresh_from_db()
    assert rating.handled_by == world.leader and rating.handled_note == "Đã gọi điện xin lỗi công dân"


def test_a_satisfied_rating_alerts_nobody(returned):
    rate(returned, SATISFIED)
    assert not OutboxMessage.objects.filter(event="feedback.unsatisfied").exists()


def test_a_head_cannot_mark_handled_without_a_note_nor_someone_else_a_rating_outside_their_units(
    world, returned
):
    rating = rate(returned, UNSATISFIED)
    with pytest.raises(InvalidInput):
        services.rating_mark_handled(actor=world.leader, rating_id=rating.pk, note="  ")
    with pytest.raises(Exception) as caught:
        services.rating_mark_handled(actor=world.outsider, rating_id=rating.pk, note="Xong")
    assert caught.value.code == "rating_not_found"


def test_a_paper_form_is_typed_in_by_a_colleague_never_by_the_officer_rated(world, returned):
    with pytest.raises(Forbidden) as caught:
        rate(returned, channel=Channel.PAPER, source=Source.PAPER_FORM, entered_by=world.receptionist)
    assert caught.value.code == "rating_self_entry"
    with pytest.raises(Forbidden):  # commune B's officer does not act on commune A's dossiers
        rate(returned, channel=Channel.PAPER, source=Source.PAPER_FORM, entered_by=world.outsider)
    from motcua.org.models import Membership
    from motcua.org.testing import make_staff

    colleague = make_staff(
        "mc2_xa_a", world.tree.one_stop_a, Membership.Role.RECEPTIONIST, full_name="Lê Thu"
    )
    rating = rate(returned, channel=Channel.PAPER, source=Source.PAPER_FORM, entered_by=colleague)
    assert rating.entered_by == colleague and rating.officer == world.receptionist


def test_an_officer_sees_a_share_only_over_five_ratings_and_the_latest_rating_of_a_dossier_counts(
    world, frozen
):
    dossiers = [advance(world, State.RETURNED) for _ in range(5)]
    for d in dossiers[:4]:
        rate(d, SATISFIED)
    shown = selectors.officer_aggregate(world.receptionist)
    assert (shown.count, shown.shown, shown.share) == (4, False, None)  # four: withheld

    rate(dossiers[4], UNSATISFIED)
    shown = selectors.officer_aggregate(world.receptionist)
    assert (shown.count, shown.satisfied, shown.share) == (5, 4, 80.0)

    # The first dossier rated again later, at the counter, unsatisfied: the latest counts.
    frozen.shift(timedelta(hours=1))
    rate(dossiers[0], UNSATISFIED, channel=Channel.COUNTER, source=Source.DEVICE)
    shown = selectors.officer_aggregate(world.receptionist)
    assert (shown.count, shown.satisfied, shown.share) == (5, 3, 60.0)
    assert selectors.agency_aggregate(world.tree.commune_a).share == 60.0


def test_rating_rows_give_reports_every_rating_after_the_last_one_read(world, frozen):
    first = rate(advance(world, State.RETURNED))
    second = rate(advance(world, State.REFUSED), UNSATISFIED)
    rows = list(selectors.rating_rows())
    assert [r["id"] for r in rows] == [first.pk, second.pk]
    assert rows[1] == {
        "id": second.pk,
        "dossier_id": second.dossier_id,
        "agency_id": second.agency_id,
        "procedure_id": second.procedure_id,
        "channel": "online",
        "created_at": second.created_at,
        "satisfied": False,
        "answers": {"contacts": "more", "agencies": "more", "misconduct": "yes"},
        "questionnaire_version": "DG-2026.1",
        "officer_id": world.receptionist.pk,
    }
    assert [r["id"] for r in selectors.rating_rows(since_id=first.pk)] == [second.pk]
    assert list(selectors.rating_rows(until=first.created_at)) == []
