"""Meetings: created by firings with their due dates, recorded by hand with a chair, invitees
and attendance, each child's record and actions (each a deadline row), a review date; one
meeting for several children with each child's part seen only by people who may see that child."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from deadlines.models import Deadline, DeadlineState
from deadlines.services import sweep
from episodes.services import episode_record_return
from interviews.models import Notification
from risk import rules, services
from risk.models import Invitee, Meeting, MeetingAction, MeetingRecord, MeetingState, SeniorPostHolder
from risk.workingdays import UK_TIME
from tests.factories import make_child

from .helpers import T0, hours, missing_episode

pytestmark = pytest.mark.django_db


def uk(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UK_TIME)


def test_missing_72_hours_asks_for_an_urgent_strategy_meeting_within_5_working_days_across_christmas(world):
    # The 72-hour point is Thursday 24 December 2026 at 10:00: due by the end of Tuesday 5 January 2027.
    last_seen = uk(2026, 12, 21, 10)
    missing_episode(world, last_seen=last_seen)
    sweep(last_seen + hours(72))
    meeting = Meeting.objects.get(kind=rules.MeetingKind.URGENT_STRATEGY)
    assert meeting.due_at == uk(2027, 1, 6)
    assert meeting.records.get().child == world.c1
    assert Deadline.objects.get(kind=services.MEETING_DUE, subject_id=meeting.pk).due_at == meeting.due_at
    escalation = meeting.records.get().escalation
    assert "Urgent strategy meeting to convene by 6 Jan 2027 00:00" in escalation.created_work


def test_a_child_protection_child_missing_asks_for_a_strategy_meeting_within_7_days(world):
    child = make_child(responsible=world.la_a, legal_status="child_protection", social_worker=world.social_worker_a)
    missing_episode(world, child, last_seen=T0)
    meeting = Meeting.objects.get(kind=rules.MeetingKind.STRATEGY)
    fired_at = meeting.records.get().escalation.fired_at
    assert meeting.due_at == fired_at + datetime.timedelta(days=7)
    assert list(meeting.invitees.values_list("user", flat=True)) == [world.social_worker_a.pk]


def test_an_intervention_meeting_is_due_at_the_earliest_opportunity_and_joined_not_repeated(world):
    missing_episode(world, last_seen=T0)  # Monday 2 November 2026, 10:00
    sweep(T0 + hours(24))
    (meeting,) = Meeting.objects.filter(kind=rules.MeetingKind.INTERVENTION)
    assert meeting.due_at == uk(2026, 11, 5)  # the end of the next working day after Tuesday 3
    assert Meeting.objects.count() == 1


def test_seven_days_asks_for_a_strategy_meeting_chaired_by_a_principal_manager_with_the_iro_invited(world):
    child = make_child(responsible=world.la_a, legal_status="looked_after_care_order", iro=world.iro_a)
    missing_episode(world, child, last_seen=T0)
    sweep(T0 + hours(168))
    meeting = Meeting.objects.get(kind=rules.MeetingKind.STRATEGY)
    assert meeting.chair_post == rules.SeniorPost.PRINCIPAL_MANAGER
    assert Invitee.objects.filter(meeting=meeting, user=world.iro_a, role="Independent reviewing officer").exists()


@pytest.fixture
def meeting(world) -> Meeting:
    return services.meeting_create(kind=rules.MeetingKind.INTERVENTION, children=[world.c1], by=world.coordinator_a)


def test_a_meeting_without_a_chair_is_refused_and_nothing_is_saved(world, meeting):
    with pytest.raises(ValidationError) as refused:
        services.meeting_record_held(
            meeting=meeting, by=world.coordinator_a, held_at=timezone.now(), chair=None, review_on=timezone.localdate()
        )
    assert "a meeting cannot be recorded without a chair" in refused.value.message_dict["chair"][0]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.TO_CONVENE and meeting.held_at is None
    assert meeting.history.count() == 1


def test_the_7_day_strategy_meeting_must_be_chaired_by_a_principal_manager(world):
    child = make_child(responsible=world.la_a)
    missing_episode(world, child, last_seen=T0)
    sweep(T0 + hours(168))
    meeting = Meeting.objects.get(kind=rules.MeetingKind.STRATEGY)
    held = {"held_at": T0 + hours(170), "review_on": datetime.date(2026, 11, 20), "now": T0 + hours(171)}
    with pytest.raises(ValidationError) as refused:
        services.meeting_record_held(meeting=meeting, by=world.manager_a, chair=world.manager_a, **held)
    assert "must be chaired by a principal manager" in refused.value.message_dict["chair"][0]
    SeniorPostHolder.objects.create(
        local_authority=world.la_a, post=rules.SeniorPost.PRINCIPAL_MANAGER, user=world.manager_a
    )
    services.meeting_record_held(meeting=meeting, by=world.manager_a, chair=world.manager_a, **held)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    assert Deadline.objects.get(kind=services.MEETING_DUE, subject_id=meeting.pk).state == DeadlineState.MET


def test_an_action_without_an_owner_or_due_date_is_refused_and_nothing_is_saved(world, meeting):
    record = meeting.records.get()
    with pytest.raises(ValidationError) as refused:
        services.meeting_action_add(record=record, by=world.coordinator_a, description="Visit", owner=None, due_on=None)
    assert "an action needs an owner" in refused.value.message_dict["owner"][0]
    assert "an action needs a due date" in refused.value.message_dict["due_on"][0]
    assert not MeetingAction.objects.exists()
    assert not Deadline.objects.filter(kind=services.ACTION_DUE).exists()


def test_an_action_is_a_deadline_its_owner_is_told_of_and_reminded_when_overdue(world, meeting):
    record = meeting.records.get()
    due_on = timezone.localdate() + datetime.timedelta(days=2)
    action = services.meeting_action_add(
        record=record,
        by=world.coordinator_a,
        description="Visit the placement",
        owner=world.social_worker_a,
        due_on=due_on,
    )
    clock = Deadline.objects.get(kind=services.ACTION_DUE, subject_id=action.pk)
    assert clock.due_at == action.due_at
    assert Notification.objects.filter(user=world.social_worker_a, kind="meeting_action").exists()
    sweep(action.due_at)
    assert Notification.objects.filter(user=world.social_worker_a, kind="meeting_action_overdue").count() == 1
    services.meeting_action_complete(action=action, by=world.social_worker_a)
    action.refresh_from_db()
    assert action.completed_by == world.social_worker_a


def test_a_meeting_to_convene_past_its_due_time_tells_the_hub_once(world):
    missing_episode(world, last_seen=T0)
    sweep(T0 + hours(24))
    meeting = Meeting.objects.get(kind=rules.MeetingKind.INTERVENTION)
    sweep(meeting.due_at)
    sweep(meeting.due_at + hours(1))
    assert Notification.objects.filter(kind="meeting_overdue", user=world.coordinator_a).count() == 1


@pytest.fixture
def group(world):
    """One mapping meeting for C1 (LA-A) and C3 (LA-B), who went missing together."""
    meeting = services.meeting_create(
        kind=rules.MeetingKind.MAPPING, children=[world.c1, world.c3], by=world.admin_coordinator
    )
    for record in meeting.records.all():
        services.meeting_record_save(
            record=record,
            by=world.admin_coordinator,
            data={"information_shared": f"Secret about {record.child.family_name}"},
        )
    return meeting


@pytest.fixture
def both_councils(world):
    """A coordinator who serves both authorities (a joint hub)."""
    from organisations.models import Agency, Membership
    from tests.factories import UserFactory

    hub = Agency.objects.create(name="Joint hub", kind="childrens_services")
    hub.local_authorities.add(world.la_a, world.la_b)
    user = UserFactory(full_name="Jo Hub")
    Membership.objects.create(user=user, agency=hub, role="coordinator")
    world.admin_coordinator = user
    return world


def test_each_child_in_a_group_meeting_has_a_separate_record_seen_only_with_access(client, both_councils, group):
    world = both_councils
    assert MeetingRecord.objects.filter(meeting=group).count() == 2
    client.force_login(world.coordinator_a)
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Secret about Ashdown" in page and "Secret about Brennan" not in page and "Callum" not in page
    c3_record = group.records.get(child=world.c3)
    assert client.get(reverse("risk:meeting_record", args=[group.pk, c3_record.pk])).status_code == 404
    assert client.get(reverse("risk:meeting_action_add", args=[group.pk, c3_record.pk])).status_code == 404
    api = client.get(reverse("api-meetings-detail", args=[group.pk])).json()
    assert [r["child"] for r in api["records"]] == [world.c1.pk]
    client.force_login(world.coordinator_b)
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Secret about Brennan" in page and "Secret about Ashdown" not in page
    client.force_login(world.police_f2)
    assert client.get(group.get_absolute_url()).status_code == 404
    assert client.get(reverse("risk:meeting_pdf", args=[group.pk])).status_code == 404


def test_the_pdf_holds_only_the_childrens_parts_the_reader_may_see(client, both_councils, group):
    world = both_councils
    client.force_login(world.coordinator_a)
    response = client.get(reverse("risk:meeting_pdf", args=[group.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from risk.pdf import meeting_pdf  # noqa: F401

    html = __import__("django.template.loader", fromlist=["render_to_string"]).render_to_string(
        "risk/meeting_pdf.html",
        {
            "meeting": group,
            "records": list(group.records.filter(child=world.c1)),
            "invitees": [],
            "printed_at": timezone.now(),
        },
    )
    assert "Secret about Ashdown" in html and "Brennan" not in html


def test_recording_a_meeting_through_the_pages_with_bad_input_saves_nothing(client, world, meeting):
    client.force_login(world.coordinator_a)
    response = client.post(reverse("risk:meeting_held", args=[meeting.pk]), {"held_at": "", "review_on": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "a meeting cannot be recorded without a chair" in body and "Enter when the meeting was held" in body
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.TO_CONVENE
    record = meeting.records.get()
    response = client.post(reverse("risk:meeting_action_add", args=[meeting.pk, record.pk]), {"description": "Visit"})
    assert "an action needs an owner" in response.content.decode()
    assert not MeetingAction.objects.exists()


def test_a_child_in_s47_enquiries_missing_asks_for_the_strategy_meeting_too(world):
    child = make_child(responsible=world.la_a, s47_enquiry=True)
    missing_episode(world, child, last_seen=T0)
    meeting = Meeting.objects.get(kind=rules.MeetingKind.STRATEGY)
    assert meeting.records.get().escalation.reason.startswith("A child in s47 enquiries is missing")
    other = make_child(responsible=world.la_a)
    missing_episode(world, other, last_seen=T0, force_reference="MP/OTHER")
    assert Meeting.objects.filter(kind=rules.MeetingKind.STRATEGY).count() == 1


def test_the_child_protection_meeting_is_not_needed_once_the_child_returns_before_it(world):
    """Domain table: "strategy meeting ... within 7 days, unless the child has returned"."""
    child = make_child(responsible=world.la_a, legal_status="child_protection")
    episode = missing_episode(world, child, last_seen=T0)
    meeting = Meeting.objects.get(kind=rules.MeetingKind.STRATEGY)
    back = T0 + hours(30)
    with time_machine.travel(back, tick=False):
        episode_record_return(episode=episode, by=world.police_f1, returned_at=back, now=back)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    assert "before the meeting: it need not go ahead (Birmingham procedure)" in meeting.cancelled_reason
    assert Deadline.objects.get(kind=services.MEETING_DUE, subject_id=meeting.pk).state == DeadlineState.CANCELLED

    # Still missing: the meeting stands.
    again = make_child(responsible=world.la_a, legal_status="child_protection")
    missing_episode(world, again, last_seen=T0 + hours(40), force_reference="MP/AGAIN")
    assert (
        Meeting.objects.get(kind=rules.MeetingKind.STRATEGY, state=MeetingState.TO_CONVENE).records.get().child == again
    )


def test_the_hub_records_a_meeting_as_not_needed_with_its_reason(client, world):
    """A meeting to convene that will not be held: the hub records that it is not needed, with the
    reason; its clock stops; no reason, nothing saved."""
    child = make_child(responsible=world.la_a, legal_status="child_protection", social_worker=world.social_worker_a)
    missing_episode(world, child, last_seen=T0)
    meeting = Meeting.objects.get(kind=rules.MeetingKind.STRATEGY)
    client.force_login(world.coordinator_a)
    assert "It is not needed" in client.get(meeting.get_absolute_url()).content.decode()
    url = reverse("risk:meeting_not_needed", args=[meeting.pk])
    response = client.post(url, {"reason": "  "})
    assert "Enter why the meeting is not needed" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.TO_CONVENE

    reason = "Returned home the same evening; at the daily tasking the social worker and the police agreed no meeting"
    response = client.post(url, {"reason": reason}, follow=True)
    body = response.content.decode()
    assert "The meeting was recorded as not needed." in body and reason in body
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    assert Deadline.objects.get(kind=services.MEETING_DUE, subject_id=meeting.pk).state == DeadlineState.CANCELLED
    assert meeting.history.first().history_user == world.coordinator_a
    sweep(meeting.due_at)
    assert not Notification.objects.filter(kind="meeting_overdue").exists()
    with pytest.raises(ValidationError):
        services.meeting_not_needed(meeting=meeting, by=world.coordinator_a, reason="Again")
    client.force_login(world.coordinator_b)
    assert client.post(url, {"reason": "Not mine"}).status_code == 404


def test_the_meeting_api_lists_meetings_in_scope(client, world, meeting):
    client.force_login(world.coordinator_a)
    rows = client.get(reverse("api-meetings-list")).json()["results"]
    assert [row["id"] for row in rows] == [meeting.pk]
    client.force_login(world.coordinator_b)
    assert client.get(reverse("api-meetings-list")).json()["results"] == []
    assert client.get(reverse("api-meetings-detail", args=[meeting.pk])).status_code == 404


def test_the_home_selector_lists_meetings_due_and_the_users_open_actions(world, meeting):
    from risk.selectors import meetings_and_actions_due

    record = meeting.records.get()
    services.meeting_action_add(
        record=record,
        by=world.coordinator_a,
        description="Call school",
        owner=world.social_worker_a,
        due_on=timezone.localdate(),
    )
    Meeting.objects.filter(pk=meeting.pk).update(due_at=timezone.now() + datetime.timedelta(days=1))
    work = meetings_and_actions_due(world.social_worker_a, timezone.now())
    assert list(work.meetings_due) == [meeting]
    assert [a.description for a in work.actions_due] == ["Call school"]
    assert list(meetings_and_actions_due(world.coordinator_b, timezone.now()).meetings_due) == []


def _many_meetings(world, count):
    children = [make_child(responsible=world.la_a) for _ in range(count)]
    for child in children:
        services.meeting_create(kind=rules.MeetingKind.WEEKLY, children=[child], by=world.coordinator_a)


def test_the_meeting_list_takes_the_same_queries_for_10_and_100_meetings(client, world):
    # session, user, the session record, MFA, memberships with agencies, the authorities served
    # (scope), the count, the page of meetings with their chairs, the visible children's records
    # with their children, the unread count, the session saved: the same whatever the number.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.coordinator_a)
    url = reverse("risk:meeting_list")
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _many_meetings(world, 10)
    with_10 = queries()
    _many_meetings(world, 90)
    assert queries() == with_10
    assert with_10 <= 18


def test_the_home_partial_renders_meetings_due_and_actions(world, meeting):
    from django.template.loader import render_to_string

    from risk.selectors import escalations_to_acknowledge, meetings_and_actions_due

    services.meeting_action_add(
        record=meeting.records.get(),
        by=world.coordinator_a,
        description="Call the school",
        owner=world.social_worker_a,
        due_on=timezone.localdate(),
    )
    Meeting.objects.filter(pk=meeting.pk).update(due_at=timezone.now() + datetime.timedelta(days=2))
    work = meetings_and_actions_due(world.social_worker_a, timezone.now())
    html = render_to_string(
        "risk/_home_work.html",
        {
            "escalations_to_acknowledge": escalations_to_acknowledge(world.social_worker_a),
            "meetings_due": work.meetings_due,
            "actions_due": work.actions_due,
        },
    )
    assert "Meetings to convene" in html and "Intervention meeting" in html
    assert "Call the school" in html and "Chloe Ashdown" in html
