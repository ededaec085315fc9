"""Restricted records and break-glass (issue 7): a manager restricts a child, and then only the
people named (and the manager) see anything of it, anywhere (security battery Z7). Anyone else in
scope may break the glass: a reason, their authentication code again, time-limited access, the
child's managers told at once (Z8)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from episodes import services as episodes_services
from episodes.selectors_matching import held_reports_waiting
from interviews.models import Notification, ReturnInterview
from organisations.models import User
from organisations.roles import AgencyKind, Role
from privacy import services
from privacy.models import AccessKind, AccessLogEntry, BreakGlassGrant, Restriction, RestrictionMember
from tests.factories import AgencyFactory, make_child, make_episode, person, totp_code
from tests.interviews.conftest import returned_interview

pytestmark = pytest.mark.django_db

REASON = "Honour-based abuse: the family must not learn where she is"
EMERGENCY = "Reported missing overnight, police need her photo and associates now"


@pytest.fixture
def c2(world):
    """C2 of the security battery: a child of LA-A, restricted by LA-A's manager, who names the
    social worker."""
    child = make_child(responsible=world.la_a, given_name="Zara", family_name="Restrictova")
    services.child_restrict(child=child, by=world.manager_a, reason=REASON, members=[world.social_worker_a])
    return child


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def break_glass(client, user, child, *, reason=EMERGENCY, code=None):
    client.force_login(user)
    return client.post(
        reverse("privacy:break_glass", args=[child.pk]),
        {"reason": reason, "code": totp_code(user) if code is None else code},
    )


def test_a_restricted_child_is_gone_from_every_list_search_count_and_api_for_the_unnamed(client, world, c2):
    """Z7: an unnamed coordinator in scope finds no trace of C2: the list, search, the home
    page's count, the episode list, the API of children, episodes and return interviews."""
    episode = make_episode(child=c2)
    interview = returned_interview(world, c2)
    coordinator = world.coordinator_a
    pages = [
        get(client, coordinator, reverse("children:list")),
        get(client, coordinator, reverse("children:list"), q="restrictova"),
        get(client, coordinator, reverse("episodes:list")),
        get(client, coordinator, reverse("interviews:list")),
        get(client, coordinator, reverse("home")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "Restrictova" not in response.content.decode(), response.request["PATH_INFO"]
    children = client.get(reverse("api-children-list")).json()
    assert c2.pk not in [row["id"] for row in children["results"]]
    assert children["count"] == Child.objects.visible_to(coordinator).count() == 2  # C1 and C4
    episodes = client.get(reverse("api-episodes-list")).json()
    assert episode.pk not in [row["id"] for row in episodes["results"]]
    interviews = client.get(reverse("api-return-interviews-list")).json()
    assert interview.pk not in [row["id"] for row in interviews["results"]]
    assert not ReturnInterview.objects.visible_to(coordinator).filter(child=c2).exists()


def test_every_page_and_api_record_of_a_restricted_child_is_404_for_the_unnamed(client, world, c2):
    """Z7: the child's page, photo, episode page and API records answer 404."""
    episode = make_episode(child=c2)
    client.force_login(world.coordinator_a)
    for url in [
        c2.get_absolute_url(),
        reverse("children:edit", args=[c2.pk]),
        episode.get_absolute_url(),
        reverse("api-children-detail", args=[c2.pk]),
        reverse("api-episodes-detail", args=[episode.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_restricted_child_is_never_suggested_as_the_match_for_a_police_record(client, world):
    """Z7: no duplicate-match suggestion names a restricted child to anyone it is hidden from."""
    born = datetime.date(2011, 3, 7)
    jayden = make_child(responsible=world.la_a, given_name="Jayden", family_name="Okoro", date_of_birth=born)
    services.child_restrict(child=jayden, by=world.manager_a, reason=REASON)
    held = make_episode(given_name="Jaden", family_name="Okoro", date_of_birth=born.isoformat())
    assert list(held.candidates.all()) == [jayden]
    url = reverse("episodes:held_detail", args=[held.pk])

    assert "Jayden" not in get(client, world.coordinator_a, url).content.decode()
    assert held_reports_waiting(world.coordinator_a).get().candidate_count == 0
    assert "Jayden" in get(client, world.manager_a, url).content.decode()
    assert held_reports_waiting(world.manager_a).get().candidate_count == 1


def test_a_police_record_linked_to_a_restricted_child_does_not_name_it_to_the_unnamed(client, world, c2):
    """Z7: once matched by someone who may see the child, the decided record names it to nobody else."""
    held = make_episode(given_name="Zarah", family_name="Restrictova", date_of_birth=c2.date_of_birth.isoformat())
    assert list(held.candidates.all()) == [c2]
    episodes_services.held_report_link(held=held, child=c2, by=world.manager_a)

    client.force_login(world.coordinator_a)
    assert "Zara Restrictova" not in client.get(reverse("episodes:held_list")).content.decode()
    assert client.get(reverse("episodes:held_detail", args=[held.pk])).status_code == 404
    assert "Zara Restrictova" in get(client, world.manager_a, reverse("episodes:held_list")).content.decode()


def test_the_named_people_and_the_restricting_manager_still_see_the_child(client, world, c2):
    for user in (world.social_worker_a, world.manager_a):
        assert get(client, user, c2.get_absolute_url()).status_code == 200
        assert "Restrictova" in get(client, user, reverse("children:list")).content.decode()
        assert c2.pk in [row["id"] for row in client.get(reverse("api-children-list")).json()["results"]]


def test_naming_never_widens_scope(client, world, c2):
    """A person named on a restriction still sees the child only within their own scope."""
    with pytest.raises(services.RestrictionRefused):
        services.restriction_member_add(restriction=c2.restriction, user=world.coordinator_b, by=world.manager_a)
    assert not c2.restriction.members.filter(user=world.coordinator_b).exists()


def test_an_unnamed_person_in_scope_is_told_the_record_is_restricted_and_offered_break_glass(client, world, c2):
    response = get(client, world.coordinator_a, c2.get_absolute_url())

    assert response.status_code == 404
    body = response.content.decode()
    assert "This record is restricted" in body
    assert reverse("privacy:break_glass", args=[c2.pk]) in body
    assert "Restrictova" not in body and "Zara" not in body
    (refusal,) = AccessLogEntry.objects.filter(kind=AccessKind.REFUSED)
    assert (refusal.user, refusal.child_id) == (world.coordinator_a, c2.pk)


def test_an_out_of_scope_user_gets_the_plain_404_with_no_break_glass_offer(client, world, c2):
    """Z4/Z7: a coordinator of another authority learns nothing, not even that it is restricted."""
    for url in (c2.get_absolute_url(), reverse("privacy:break_glass", args=[c2.pk])):
        response = get(client, world.coordinator_b, url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Page not found" in body
        assert "restricted" not in body.lower()
    response = break_glass(client, world.coordinator_b, c2)
    assert response.status_code == 404
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_with_a_wrong_code_grants_nothing_and_logs_the_attempt(client, world, c2):
    """Z8: a wrong authentication code is refused with a message; nothing is granted; the attempt
    is in the access log with the reason given."""
    response = break_glass(client, world.coordinator_a, c2, code="000000")

    assert response.status_code == 200
    assert "The authentication code is not right" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert not Notification.objects.exists()
    (refusal,) = AccessLogEntry.objects.filter(kind=AccessKind.REFUSED)
    assert (refusal.child_id, refusal.reason) == (c2.pk, EMERGENCY)
    assert "authentication code" in refusal.what
    assert get(client, world.coordinator_a, c2.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("reason", ["", "   ", "urgent"])
def test_break_glass_without_a_reason_of_20_characters_grants_nothing(client, world, c2, reason):
    """Z8: the reason is required, at least 20 characters."""
    response = break_glass(client, world.coordinator_a, c2, reason=reason)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert not Notification.objects.exists()


def test_break_glass_end_to_end_grants_time_limited_access_logs_and_notifies(
    client, world, c2, django_capture_on_commit_callbacks
):
    """Z8: the right code and a reason open the record for 60 minutes; the read is in the access
    log with the reason (and so in "who viewed"); the managers, the restricting manager and the
    privacy lead are told at once, in the inbox and by email, naming no child; at expiry the
    child is hidden again."""
    other_manager = person(Role.MANAGER, world.council_a, full_name="Max Otherman")
    officer = person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")
    stockport_manager = person(Role.MANAGER, world.council_b)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            response = break_glass(client, world.coordinator_a, c2)
        assert response.status_code == 302
        assert response["Location"] == c2.get_absolute_url()

        (grant,) = BreakGlassGrant.objects.all()
        assert (grant.user, grant.child, grant.reason) == (world.coordinator_a, c2, EMERGENCY)
        assert grant.expires_at - grant.granted_at == datetime.timedelta(minutes=60)
        (entry,) = AccessLogEntry.objects.filter(kind=AccessKind.EMERGENCY)
        assert (entry.user, entry.child_id, entry.reason) == (world.coordinator_a, c2.pk, EMERGENCY)
        told = set(Notification.objects.filter(kind="break_glass").values_list("user", flat=True))
        assert told == {world.manager_a.pk, other_manager.pk, officer.pk}
        assert stockport_manager.pk not in told
        assert len(mail.outbox) == 3
        assert all("Zara" not in m.body and "Restrictova" not in m.subject for m in mail.outbox)

        page = client.get(c2.get_absolute_url())
        assert page.status_code == 200
        assert "emergency access (break-glass) until" in page.content.decode()
        assert "Restrictova" in client.get(reverse("children:list")).content.decode()

        traveller.shift(datetime.timedelta(minutes=59, seconds=59))
        assert get(client, world.coordinator_a, c2.get_absolute_url()).status_code == 200  # a new session
        traveller.shift(datetime.timedelta(seconds=1))
        assert get(client, world.coordinator_a, c2.get_absolute_url()).status_code == 404
        assert "Restrictova" not in client.get(reverse("children:list")).content.decode()


def test_a_second_break_glass_within_24_hours_also_goes_to_the_persons_own_managers(client, world, c2):
    """Z8: a second break-glass by the same person within a day escalates to their own managers."""
    health = AgencyFactory(name="Manchester health", kind=AgencyKind.HEALTH, serves=[world.la_a])
    nurse = person(Role.SOCIAL_WORKER, health, full_name="Nia Nurse")
    health_manager = person(Role.MANAGER, health, full_name="Hal Health")
    other = make_child(responsible=world.la_a, given_name="Yasmin", family_name="Secondchild")
    services.child_restrict(child=other, by=world.manager_a, reason=REASON)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        services.break_glass(child=c2, by=nurse, reason=EMERGENCY, code=totp_code(nurse))
        assert not Notification.objects.filter(user=health_manager).exists()
        traveller.shift(datetime.timedelta(hours=23, minutes=59))
        services.break_glass(child=other, by=nurse, reason=EMERGENCY, code=totp_code(nurse))
    (escalated,) = Notification.objects.filter(user=health_manager)
    assert escalated.message.endswith("their second break-glass within 24 hours")
    assert Notification.objects.filter(user=world.manager_a).count() == 2


def test_someone_already_named_has_no_break_glass_to_do(client, world, c2):
    response = break_glass(client, world.social_worker_a, c2)
    assert response.status_code == 302
    assert not BreakGlassGrant.objects.exists()


def test_the_code_used_to_sign_in_cannot_break_the_glass_too(client, world, c2):
    """allauth refuses a code used once: the person waits for the next one."""
    with time_machine.travel(timezone.now(), tick=False):
        code = totp_code(world.coordinator_a)
        assert services.code_is_current(world.coordinator_a, code)  # as signing in does
        with pytest.raises(services.RestrictionRefused):
            services.break_glass(child=c2, by=world.coordinator_a, reason=EMERGENCY, code=code)
    assert not BreakGlassGrant.objects.exists()


# --- Restricting and lifting -------------------------------------------------------------------


def test_a_manager_restricts_a_record_naming_people_from_the_child_page(client, world):
    child = world.c1
    client.force_login(world.manager_a)
    page = client.get(child.get_absolute_url()).content.decode()
    assert reverse("privacy:restrict", args=[child.pk]) in page

    response = client.post(
        reverse("privacy:restrict", args=[child.pk]), {"reason": REASON, "members": [world.iro_a.pk]}
    )

    assert response.status_code == 302
    restriction = Restriction.objects.get(child=child)
    assert (restriction.restricted_by, restriction.reason, restriction.in_force) == (world.manager_a, REASON, True)
    assert list(restriction.members.values_list("user", flat=True)) == [world.iro_a.pk]
    assert restriction.history.count() == 1
    assert get(client, world.iro_a, child.get_absolute_url()).status_code == 200
    assert get(client, world.coordinator_a, child.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("persona", ["coordinator_a", "social_worker_a", "iro_a"])
def test_only_managers_restrict(client, world, persona):
    user = getattr(world, persona)
    assert (
        reverse("privacy:restrict", args=[world.c1.pk])
        not in get(client, user, world.c1.get_absolute_url()).content.decode()
    )
    assert get(client, user, reverse("privacy:restrict", args=[world.c1.pk])).status_code == 403
    assert client.post(reverse("privacy:restrict", args=[world.c1.pk]), {"reason": REASON}).status_code == 403
    assert not Restriction.objects.exists()


def test_a_manager_of_another_authority_gets_404_and_restricts_or_lifts_nothing(client, world, c2):
    manager_b = person(Role.MANAGER, world.council_b)
    client.force_login(manager_b)
    assert client.post(reverse("privacy:restrict", args=[world.c1.pk]), {"reason": REASON}).status_code == 404
    assert client.post(reverse("privacy:lift", args=[c2.pk]), {"reason": REASON}).status_code == 404
    assert list(Restriction.objects.values_list("child", "lifted_at")) == [(c2.pk, None)]


def test_restricting_without_a_reason_is_refused_and_saves_nothing(client, world):
    client.force_login(world.manager_a)
    response = client.post(reverse("privacy:restrict", args=[world.c1.pk]), {"reason": "  ", "members": []})

    assert response.status_code == 200
    assert "Enter the reason for restricting this record" in response.content.decode()
    assert not Restriction.objects.exists()
    assert not RestrictionMember.objects.exists()


def test_naming_someone_who_cannot_see_the_child_is_refused_and_saves_nothing(client, world):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("privacy:restrict", args=[world.c1.pk]), {"reason": REASON, "members": [world.coordinator_b.pk]}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Restriction.objects.exists()


def test_lifting_needs_a_reason_and_then_everyone_in_scope_sees_the_child_again(client, world, c2):
    client.force_login(world.manager_a)
    url = reverse("privacy:lift", args=[c2.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for lifting the restriction" in response.content.decode()
    assert Restriction.objects.get(child=c2).in_force

    assert client.post(url, {"reason": "The family has moved away; risk reviewed"}).status_code == 302
    restriction = Restriction.objects.get(child=c2)
    assert (restriction.in_force, restriction.lifted_by) == (False, world.manager_a)
    assert get(client, world.coordinator_a, c2.get_absolute_url()).status_code == 200


def test_restriction_is_one_subquery_not_a_query_per_child(client, world, c2, django_assert_num_queries):
    """The scope stays one query whatever the number of restricted children."""
    for n in range(5):
        child = make_child(responsible=world.la_a, family_name=f"Hidden{n}")
        services.child_restrict(child=child, by=world.manager_a, reason=REASON)
    user = User.objects.get(pk=world.coordinator_a.pk)
    user.active_memberships()  # cached per request in real use
    with django_assert_num_queries(1):  # the children (the authorities came with the memberships)
        names = list(Child.objects.visible_to(user).values_list("family_name", flat=True))
    assert "Restrictova" not in names and not any(name.startswith("Hidden") for name in names)


def test_a_person_removed_from_the_restriction_loses_sight_of_the_child_and_history_keeps_it(client, world, c2):
    services.restriction_member_remove(restriction=c2.restriction, user=world.social_worker_a, by=world.manager_a)

    assert get(client, world.social_worker_a, c2.get_absolute_url()).status_code == 404
    (removal,) = RestrictionMember.history.filter(history_type="-")
    assert removal.user == world.social_worker_a
