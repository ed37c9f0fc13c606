"""The access rule's three shapes give one answer.

``org.selectors`` writes "a membership covers an agency" once for an agency of an outer query
(``agencies_actable_by`` / ``agencies_visible_to``), once for a known agency (``user_roles_at``,
``officers_acting_on``) and once in plain SQL (``agency_actable_by_code``, the counter's
reception). For every persona, every agency and every role set, the three must agree; so must
they after a membership narrows to its own agency, is switched off, or a user is locked."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from motcua.org.models import Agency, Membership
from motcua.org.selectors import (
    ACTING_ROLES,
    _covering_known,
    agencies_actable_by,
    agencies_visible_sql,
    agencies_visible_to,
    agency_actable_by_code,
    is_staff,
    officers_acting_on,
    user_acts_somewhere,
    user_roles_at,
    user_roles_by_agency,
)
from motcua.org.testing import build_org_tree, build_personas, make_staff

pytestmark = pytest.mark.django_db
Role = Membership.Role
ROLE_SETS = [
    {Role.RECEPTIONIST},
    {Role.SPECIALIST, Role.LEADER},
    {Role.LEADER, Role.DIRECTOR},
    {Role.ADMINISTRATOR},
    set(ACTING_ROLES),
]


@pytest.fixture
def people():
    tree = build_org_tree()
    personas = build_personas(tree)
    narrow = make_staff("chi_mot_xa", tree.commune_a, Role.SPECIALIST, include_subtree=False)
    switched_off = make_staff("da_nghi", tree.commune_b, Role.LEADER)
    Membership.objects.filter(user=switched_off).update(active=False)
    locked = make_staff("bi_khoa", tree.province, Role.LEADER)
    get_user_model().objects.filter(pk=locked.pk).update(is_active=False)
    locked.refresh_from_db()
    users = [*vars(personas).values(), narrow, switched_off, locked]
    return tree, users


def _agencies():
    return list(Agency.objects.order_by("path"))


def test_the_sql_shape_answers_what_the_queryset_answers(people):
    _, users = people
    checked = 0
    for user, agency, roles in itertools.product(users, _agencies(), ROLE_SETS):
        expected = agencies_actable_by(user, roles=roles).filter(code=agency.code, active=True).first()
        found = agency_actable_by_code(user, agency.code, roles=roles)
        assert (found.pk if found else None) == (expected.pk if expected else None), (user, agency, roles)
        if found is not None:
            assert (found.code, found.path, found.schedule_id) == (
                agency.code,
                agency.path,
                agency.schedule_id,
            )
        checked += 1
    assert checked == len(users) * 7 * len(ROLE_SETS)


def test_roles_at_a_known_agency_answer_what_the_querysets_answer(people):
    _, users = people
    for user, agency in itertools.product(users, _agencies()):
        roles = user_roles_at(user, agency)
        assert bool(roles) == agencies_visible_to(user).filter(pk=agency.pk).exists(), (user, agency)
        acting = roles & ACTING_ROLES
        assert bool(acting) == agencies_actable_by(user).filter(pk=agency.pk).exists(), (user, agency)


def test_the_sql_shape_of_seeing_answers_what_the_queryset_answers(people, django_user_model):
    _, users = people
    users = [*users, django_user_model.objects.create_superuser("sieu_quan_tri", password="x-" * 10)]
    for user, agency in itertools.product(users, _agencies()):
        condition, params = agencies_visible_sql(user, f"SELECT {int(agency.pk)}")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {condition}", params)  # noqa: S608  (the test's own ids)
            seen = bool(cursor.fetchone()[0])
        assert seen == agencies_visible_to(user).filter(pk=agency.pk).exists(), (user, agency)


def test_roles_at_several_agencies_at_once_answer_the_known_shape(people, django_user_model):
    _, users = people
    users = [*users, django_user_model.objects.create_superuser("sieu_quan_tri", password="x-" * 10)]
    agencies = _agencies()
    for user in users:
        found = user_roles_by_agency(user, [None, *(a.pk for a in agencies), agencies[0].pk])
        expected = {}
        for agency in agencies:
            roles = set(
                Membership.objects.filter(user=user, active=True)
                .filter(_covering_known([agency]))
                .values_list("role", flat=True)
            )
            if user.is_superuser:
                roles.add(Role.ADMINISTRATOR)
            expected[agency.pk] = roles if is_staff(user) else set()
        assert found == expected, user
        assert all(user_roles_at(user, a) == expected[a.pk] for a in agencies), user
    assert user_roles_by_agency(users[0], [None]) == {}


def test_officers_of_an_agency_are_those_who_act_on_it(people):
    _, users = people
    for agency, roles in itertools.product(_agencies(), ROLE_SETS):
        officers = set(officers_acting_on([agency], roles))
        expected = {
            u
            for u in users
            if is_staff(u)
            and not u.is_superuser
            and agencies_actable_by(u, roles=roles).filter(pk=agency.pk).exists()
        }
        assert officers == expected, (agency, roles)


def test_a_narrow_membership_covers_its_agency_only(people):
    tree, users = people
    narrow = next(u for u in users if u.username == "chi_mot_xa")
    assert agency_actable_by_code(narrow, tree.commune_a.code, roles={Role.SPECIALIST}) is not None
    assert agency_actable_by_code(narrow, tree.one_stop_a.code, roles={Role.SPECIALIST}) is None
    assert user_roles_at(narrow, tree.one_stop_a) == set()


def test_a_supervisor_sees_but_never_acts(people):
    tree, users = people
    supervisor = next(u for u in users if u.username == "giam_sat")
    assert agencies_visible_to(supervisor).count() == 7
    assert agency_actable_by_code(supervisor, tree.commune_a.code, roles={Role.SUPERVISOR}) is None
    assert user_roles_at(supervisor, tree.commune_a) == {Role.SUPERVISOR}
    assert list(officers_acting_on([tree.commune_a], {Role.SUPERVISOR})) == []


def test_whether_an_officer_acts_anywhere_answers_what_the_queryset_answers(people):
    _, users = people
    for user, roles in itertools.product(users, ROLE_SETS):
        expected = agencies_actable_by(user, roles=roles).exists()
        assert user_acts_somewhere(user, roles=roles) == expected, (user, roles)


def test_the_counter_menu_is_kept_per_process_and_follows_every_grant_and_revocation(settings):
    """The menu's "Quầy tiếp nhận" is read once per process (MENU_ROLES): a grant or revocation
    through the services, or a membership saved elsewhere (the admin), is seen at once here; a
    change another process made is seen after the minute the kept answer is trusted."""
    import time_machine
    from django.core.cache import cache

    from motcua.org.selectors import MENU_ROLES
    from motcua.org.services import membership_grant, membership_revoke

    tree = build_org_tree()
    officer = make_staff("menu_officer", tree.department, Role.SPECIALIST)
    counter = {Role.RECEPTIONIST}
    with time_machine.travel(1_800_000_000, tick=False) as traveller:
        assert user_acts_somewhere(officer, roles=counter) is False
        granted = membership_grant(user=officer, agency=tree.commune_a, role=Role.RECEPTIONIST, actor=None)
        assert user_acts_somewhere(officer, roles=counter) is True
        membership_revoke(membership=granted, actor=None)
        assert user_acts_somewhere(officer, roles=counter) is False
        Membership.objects.filter(pk=granted.pk).first().save()  # still inactive: nothing new
        granted.active = True
        granted.save()  # as the admin saves it
        assert user_acts_somewhere(officer, roles=counter) is True

        # Another process revokes it (the shared version moves; nothing tells this process).
        Membership.objects.filter(pk=granted.pk).update(active=False)
        cache.set(MENU_ROLES.key, "changed elsewhere", None)
        traveller.shift(59)
        assert user_acts_somewhere(officer, roles=counter) is True  # trusted for the minute
        traveller.shift(2)
        assert user_acts_somewhere(officer, roles=counter) is False
