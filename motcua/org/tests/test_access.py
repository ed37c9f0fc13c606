"""Who may see and who may act where: one persona per role, and an outsider."""

import pytest

from motcua.lib.errors import InvalidInput
from motcua.org import selectors, services
from motcua.org.models import Agency
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db


def codes(queryset):
    return sorted(a.code for a in queryset)


def test_it_lets_a_commune_receptionist_see_and_act_on_the_commune_and_its_one_stop_unit(
    org_tree, receptionist
):
    expected = sorted([org_tree.commune_a.code, org_tree.one_stop_a.code])

    assert codes(selectors.agencies_visible_to(receptionist)) == expected
    assert codes(selectors.agencies_actable_by(receptionist)) == expected
    assert selectors.user_can_act(receptionist, org_tree.one_stop_a, roles={"receptionist"})
    assert not selectors.user_can_act(receptionist, org_tree.one_stop_a, roles={"leader"})


def test_it_keeps_department_staff_inside_their_department(org_tree, specialist, leader):
    for user in (specialist, leader):
        assert codes(selectors.agencies_visible_to(user)) == [org_tree.department.code]
        assert codes(selectors.agencies_actable_by(user)) == [org_tree.department.code]
    assert selectors.user_roles_at(specialist, org_tree.department) == {"specialist"}
    assert selectors.user_roles_at(leader, org_tree.department) == {"leader"}


def test_it_gives_the_centre_director_the_centre_only(org_tree, director):
    assert codes(selectors.agencies_actable_by(director)) == [org_tree.centre.code]
    assert not selectors.user_can_act(director, org_tree.province)


def test_it_lets_a_supervisor_see_the_whole_province_but_act_nowhere(org_tree, supervisor):
    assert codes(selectors.agencies_visible_to(supervisor)) == codes(org_tree.all)
    assert list(selectors.agencies_actable_by(supervisor)) == []
    assert list(selectors.agencies_actable_by(supervisor, roles={"supervisor"})) == []
    assert not selectors.user_can_act(supervisor, org_tree.one_stop_a)
    assert selectors.user_roles_at(supervisor, org_tree.one_stop_a) == {"supervisor"}


def test_it_lets_the_province_administrator_act_everywhere_below_the_province(org_tree, administrator):
    assert codes(selectors.agencies_actable_by(administrator)) == codes(org_tree.all)
    assert codes(selectors.agencies_actable_by(administrator, roles={"administrator"})) == codes(org_tree.all)
    assert list(selectors.agencies_actable_by(administrator, roles={"receptionist"})) == []


def test_it_shows_the_outsider_nothing_of_commune_a(org_tree, outsider):
    visible = codes(selectors.agencies_visible_to(outsider))

    assert visible == sorted([org_tree.commune_b.code, org_tree.one_stop_b.code])
    for agency in (org_tree.commune_a, org_tree.one_stop_a, org_tree.province, org_tree.department):
        assert not selectors.user_can_see(outsider, agency)
        assert not selectors.user_can_act(outsider, agency)
        assert selectors.user_roles_at(outsider, agency) == set()


def test_it_inherits_a_role_from_an_ancestor_that_includes_its_subtree(org_tree):
    user = make_staff("truong_phong", org_tree.commune_a, "leader")

    assert selectors.user_roles_at(user, org_tree.one_stop_a) == {"leader"}
    assert selectors.user_can_act(user, org_tree.one_stop_a, roles={"leader"})


def test_it_limits_a_membership_without_subtree_to_its_own_agency(org_tree):
    user = make_staff("chi_uy_ban", org_tree.commune_a, "leader", include_subtree=False)

    assert codes(selectors.agencies_visible_to(user)) == [org_tree.commune_a.code]
    assert not selectors.user_can_act(user, org_tree.one_stop_a)
    assert selectors.user_roles_at(user, org_tree.one_stop_a) == set()


def test_it_forgets_a_revoked_membership(org_tree, receptionist):
    membership = receptionist.memberships.get()

    services.membership_revoke(membership=membership, actor=None)

    assert list(selectors.agencies_visible_to(receptionist)) == []
    assert not selectors.user_can_act(receptionist, org_tree.commune_a)


def test_it_gives_nothing_to_anonymous_or_deactivated_users(org_tree, receptionist):
    from django.contrib.auth.models import AnonymousUser

    assert list(selectors.agencies_visible_to(AnonymousUser())) == []
    receptionist.is_active = False
    receptionist.save(update_fields=["is_active"])
    assert list(selectors.agencies_visible_to(receptionist)) == []


def test_it_lets_a_superuser_see_all_and_act_as_administrator_only(org_tree):
    root = make_staff("sieu_quan_tri", None, None, is_superuser=True)

    assert codes(selectors.agencies_visible_to(root)) == codes(org_tree.all)
    assert selectors.user_can_act(root, org_tree.one_stop_b)
    assert selectors.user_can_act(root, org_tree.one_stop_b, roles={"administrator"})
    assert not selectors.user_can_act(root, org_tree.one_stop_b, roles={"receptionist"})
    assert selectors.user_roles_at(root, org_tree.one_stop_b) == {"administrator"}


def test_it_follows_an_agency_that_moves_into_another_subtree(org_tree, receptionist, outsider):
    services.agency_move(agency=org_tree.one_stop_a, parent=org_tree.commune_b)

    assert not selectors.user_can_see(receptionist, org_tree.one_stop_a)
    assert selectors.user_can_act(outsider, org_tree.one_stop_a)


def test_it_answers_in_one_query_however_many_memberships(org_tree, django_assert_num_queries):
    user = make_staff("nhieu_vai_tro", org_tree.commune_a, "receptionist")
    services.membership_grant(user=user, agency=org_tree.department, role="specialist", actor=None)
    services.membership_grant(user=user, agency=org_tree.commune_b, role="leader", actor=None)

    with django_assert_num_queries(1):
        visible = codes(selectors.agencies_visible_to(user))
    with django_assert_num_queries(1):
        assert selectors.user_can_act(user, org_tree.one_stop_b, roles={"leader"})
    with django_assert_num_queries(1):
        assert selectors.user_roles_at(user, org_tree.one_stop_a) == {"receptionist"}

    assert visible == codes(a for a in org_tree.all if a not in (org_tree.province, org_tree.centre))


def test_it_composes_with_other_queries_as_a_subquery(org_tree, receptionist):
    from motcua.org.models import ServicePoint

    services.service_point_create(agency=org_tree.one_stop_a, name="Quầy xã An Bình")
    services.service_point_create(agency=org_tree.one_stop_b, name="Quầy xã Bình Minh")

    points = ServicePoint.objects.filter(agency__in=selectors.agencies_visible_to(receptionist))

    assert [p.name for p in points] == ["Quầy xã An Bình"]


def test_it_rejects_an_unknown_role_name(org_tree, receptionist):
    with pytest.raises(InvalidInput):
        selectors.agencies_actable_by(receptionist, roles={"thu_truong"})


def test_it_reads_the_tree_below_an_agency(org_tree):
    assert codes(selectors.agency_subtree(org_tree.commune_a)) == sorted(
        [org_tree.commune_a.code, org_tree.one_stop_a.code]
    )
    assert codes(selectors.agency_subtree(org_tree.commune_a, include_self=False)) == [
        org_tree.one_stop_a.code
    ]
    assert [a.code for a in selectors.agency_ancestors(org_tree.one_stop_a)] == [
        org_tree.province.code,
        org_tree.commune_a.code,
    ]
    assert Agency.objects.count() == 7
