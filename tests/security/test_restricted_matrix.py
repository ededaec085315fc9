"""Security battery Z7, the restricted column of the matrix: every route that holds a child's
data, as every persona, for C2, a child of LA-A restricted by LA-A's manager, who names the social
worker.

C2 has one of everything with a route, made before the restriction, as a real case would have:
a photo; a GMP episode (so police_f1 would see C2) over 24 hours, with its escalations, a task and
the intervention meeting it asked for, with C2's record and an action; the return; its return
interview, allocated to the charity's worker (so rhi_worker would see C2); a draft risk assessment.

The people named (social_worker_a, and manager_a who restricted) get what anyone in scope gets;
everyone else gets a 404 that does not name the child, whether in scope but unnamed
(coordinator_a, iro_a, police_f1, rhi_worker) or out of scope. Lists and API lists name C2 to the
named only. A break-glass grant gives coordinator_a the in-scope answers until it expires.

Every expected cell is written out here by hand. The routes come from ROUTES of the scope matrix,
so a new route kind fails `test_every_route_kind_is_mapped_or_holds_no_child` until someone
decides what it shows for a restricted child.
"""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from deadlines.services import sweep
from episodes.services import episode_record_return
from interviews import services as interview_services
from interviews.models import ReturnInterview
from privacy import services as privacy_services
from risk import rules
from risk import services as risk_services
from risk.models import Escalation, EscalationRecipient, EscalationTask, Meeting, MeetingAction, RiskAssessment
from tests.factories import make_child, totp_code
from tests.interviews.helpers import missing_episode
from tests.security.test_scope_matrix import ROUTES, VISIBLE

pytestmark = pytest.mark.django_db

REASON = "Honour-based abuse: the family must not learn where she is"
EMERGENCY = "Reported missing overnight, police need her photo and associates now"
NAMES = ("Zara", "Restrictova")

# Route kind (ROUTES) -> the URL arguments for C2's object of that kind.
KIND_ARGS = {
    "child": lambda c2: [c2["child"].pk],
    "child_api": lambda c2: [c2["child"].pk],
    "episode": lambda c2: [c2["episode"].pk],
    "episode_api": lambda c2: [c2["episode"].pk],
    "interview": lambda c2: [c2["interview"].pk],
    "interview_api": lambda c2: [c2["interview"].pk],
    "escalation": lambda c2: [c2["escalation"].pk],
    "escalation_api": lambda c2: [c2["escalation"].pk],
    "meeting": lambda c2: [c2["meeting"].pk],
    "meeting_api": lambda c2: [c2["meeting"].pk],
    "meeting_record": lambda c2: [c2["meeting"].pk, c2["record"].pk],
    "meeting_action": lambda c2: [c2["meeting"].pk, c2["action"].pk],
    "assessment": lambda c2: [c2["assessment"].pk],
}
# Route kinds that take no child-bearing object, and where their restricted cells are held.
NOT_CHILD_BEARING = {
    "page",  # lists and forms: the lists are checked below
    "public",
    "api_list",  # checked below
    "api_meta",
    "api_write",
    "own_session",
    "own_job",
    "own_notification",  # the link goes through the interview's scope (interviews.views.notification_read)
    "own_pack",
    "export",  # the exports page: below; the files: children scoped (tests/reporting/test_exports_page.py)
    "dashboard",  # the records behind a figure: below
    "held",  # tests/privacy/test_restricted.py: a held record linked to C2 names it to nobody else
    "dpo_request",  # data protection officers only (tests/privacy/test_subject_access.py)
}
CHILD_ROUTES = sorted(route for route, kind in ROUTES.items() if kind in KIND_ARGS)
# Routes that only take a POST (a GET is a 405 for everyone): they are probed with an empty POST.
POST_ONLY = {
    "risk:escalation_acknowledge",
    "risk:task_done",
    "risk:meeting_action_done",
    "risk:assessment_start",
    "risk:assessment_sign",
}

# The in-scope answers. 302: the action does not apply now and sends you back (the episode has
# returned; the escalation was acknowledged; a posted action is done), or someone named has no
# glass to break. 403: their role may not do it (the interview's work is the hub's and the
# worker's; the PDF is for the people the authorised record is shared with; only managers restrict).
NAMED = {
    "social_worker_a": {
        "children:detail": 200,
        "children:edit": 200,
        "children:photo": 200,
        "api-children-detail": 200,
        "privacy:restrict": 403,
        "privacy:lift": 403,
        "privacy:break_glass": 302,
        "privacy:child_viewers": 403,  # who viewed: managers only
        "privacy:retention_child": 404,  # retention is the council's managers' and officers'
        "privacy:retention_hold": 404,  # retention is the council's managers' and officers'
        "privacy:retention_lift_hold": 404,  # retention is the council's managers' and officers'
        "privacy:retention_delete": 404,  # retention is the council's managers' and officers'
        "episodes:detail": 200,
        "episodes:record_return": 403,
        "episodes:reclassify": 403,
        "episodes:safe_and_well": 403,
        "episodes:close": 403,
        "episodes:reopen": 403,
        "api-episodes-detail": 200,
        "interviews:visit": 403,
        "interviews:detail": 200,
        "interviews:triage": 403,
        "interviews:allocate": 403,
        "interviews:attempt": 403,
        "interviews:outcome": 403,
        "interviews:record": 403,
        "interviews:review": 403,
        "interviews:pdf": 403,
        "api-return-interviews-detail": 200,
        "risk:escalation_detail": 200,
        "risk:escalation_acknowledge": 403,  # not sent to them
        "risk:task_done": 302,
        "api-escalations-detail": 200,
        "risk:meeting_detail": 200,
        "risk:meeting_held": 200,
        "risk:meeting_not_needed": 200,
        "risk:meeting_invitee": 200,
        "risk:meeting_record": 200,
        "risk:meeting_action_add": 200,
        "risk:meeting_action_done": 302,
        "risk:meeting_pdf": 200,
        "api-meetings-detail": 200,
        "risk:assessment_list": 200,
        "risk:assessment_start": 302,
        "risk:assessment_detail": 200,
        "risk:assessment_edit": 200,
        "risk:assessment_sign": 200,  # the form again: an empty post signs nothing
    },
    "manager_a": {
        "children:detail": 200,
        "children:edit": 200,
        "children:photo": 200,
        "api-children-detail": 200,
        "privacy:restrict": 200,
        "privacy:lift": 200,
        "privacy:break_glass": 302,
        "privacy:child_viewers": 200,  # who viewed: managers only
        "privacy:retention_child": 200,
        "privacy:retention_hold": 200,
        "privacy:retention_lift_hold": 302,  # no hold to lift
        "privacy:retention_delete": 200,  # the form; a deletion before the date is refused
        "episodes:detail": 200,
        "episodes:record_return": 302,
        "episodes:reclassify": 200,
        "episodes:safe_and_well": 403,
        "episodes:close": 200,
        "episodes:reopen": 302,
        "api-episodes-detail": 200,
        "interviews:visit": 403,
        "interviews:detail": 200,
        "interviews:triage": 403,
        "interviews:allocate": 403,
        "interviews:attempt": 403,
        "interviews:outcome": 403,
        "interviews:record": 403,
        "interviews:review": 200,
        "interviews:pdf": 403,
        "api-return-interviews-detail": 200,
        "risk:escalation_detail": 200,
        "risk:escalation_acknowledge": 302,
        "risk:task_done": 302,
        "api-escalations-detail": 200,
        "risk:meeting_detail": 200,
        "risk:meeting_held": 200,
        "risk:meeting_not_needed": 200,
        "risk:meeting_invitee": 200,
        "risk:meeting_record": 200,
        "risk:meeting_action_add": 200,
        "risk:meeting_action_done": 302,
        "risk:meeting_pdf": 200,
        "api-meetings-detail": 200,
        "risk:assessment_list": 200,
        "risk:assessment_start": 302,
        "risk:assessment_detail": 200,
        "risk:assessment_edit": 200,
        "risk:assessment_sign": 200,
    },
}
# coordinator_a with a live break-glass grant: what the hub gets in scope.
BREAK_GLASS_COORDINATOR = {
    "children:detail": 200,
    "children:edit": 200,
    "children:photo": 200,
    "api-children-detail": 200,
    "privacy:restrict": 403,
    "privacy:lift": 403,
    "privacy:break_glass": 302,  # already open: to the record
    "privacy:child_viewers": 403,  # who viewed: managers only
    "privacy:retention_child": 404,  # retention is the council's managers' and officers'
    "privacy:retention_hold": 404,  # retention is the council's managers' and officers'
    "privacy:retention_lift_hold": 404,  # retention is the council's managers' and officers'
    "privacy:retention_delete": 404,  # retention is the council's managers' and officers'
    "episodes:detail": 200,
    "episodes:record_return": 302,
    "episodes:reclassify": 200,
    "episodes:safe_and_well": 200,
    "episodes:close": 200,
    "episodes:reopen": 403,
    "api-episodes-detail": 200,
    "interviews:visit": 200,
    "interviews:detail": 200,
    "interviews:triage": 200,
    "interviews:allocate": 200,
    "interviews:attempt": 200,
    "interviews:outcome": 200,
    "interviews:record": 200,
    "interviews:review": 403,
    "interviews:pdf": 403,
    "api-return-interviews-detail": 200,
    "risk:escalation_detail": 200,
    "risk:escalation_acknowledge": 302,
    "risk:task_done": 302,
    "api-escalations-detail": 200,
    "risk:meeting_detail": 200,
    "risk:meeting_held": 200,
    "risk:meeting_not_needed": 200,
    "risk:meeting_invitee": 200,
    "risk:meeting_record": 200,
    "risk:meeting_action_add": 200,
    "risk:meeting_action_done": 302,
    "risk:meeting_pdf": 200,
    "api-meetings-detail": 200,
    "risk:assessment_list": 200,
    "risk:assessment_start": 302,
    "risk:assessment_detail": 200,
    "risk:assessment_edit": 200,
    "risk:assessment_sign": 200,
}
# Would see C2 were it not restricted: told the record is restricted, and offered break-glass.
UNNAMED_IN_SCOPE = {"coordinator_a", "iro_a", "police_f1", "rhi_worker"}
OUT_OF_SCOPE = {"coordinator_b", "police_f2", "analyst_a", "admin"}
PERSONAS = sorted(set(NAMED) | UNNAMED_IN_SCOPE | OUT_OF_SCOPE)

# Lists and API lists: what each one is asked with, and which of C2's objects an API list returns.
LISTS = {
    "home": ("home", {}),
    "children": ("children:list", {}),
    "children search": ("children:list", {"q": "restrictova"}),
    "episodes": ("episodes:list", {}),
    "interviews": ("interviews:list", {}),
    "caseload": ("interviews:caseload", {}),
    "inbox": ("interviews:inbox", {}),
    "escalations": ("risk:escalation_list", {"show": "all"}),
    "meetings": ("risk:meeting_list", {}),
    "weekly meeting": ("weekly_meeting_list", {}),
    "dashboard records": ("reporting:dashboard_records", {"measure": "all"}),
    "exports": ("exports:exports", {}),
}
API_LISTS = {
    "api-children-list": "child",
    "api-episodes-list": "episode",
    "api-return-interviews-list": "interview",
    "api-escalations-list": "escalation",
    "api-meetings-list": "meeting",
}
# The lists that name C2 to the named (the others are not theirs to open, or name no child).
LISTED_FOR_NAMED = {
    "social_worker_a": {"home", "children", "children search", "episodes", "escalations", "meetings"},
    "manager_a": {
        "home",
        "children",
        "children search",
        "episodes",
        "interviews",
        "escalations",
        "meetings",
        "weekly meeting",
        "dashboard records",
    },
}
LISTED_FOR_BREAK_GLASS_COORDINATOR = {
    "home",
    "children",
    "children search",
    "episodes",
    "interviews",
    "escalations",
    "meetings",
    "weekly meeting",
    "dashboard records",
}


@pytest.fixture
def c2(world):
    """C2 and its records, all made before the manager restricts it naming the social worker."""
    child = make_child(responsible=world.la_a, given_name="Zara", family_name="Restrictova")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    child.photo = SimpleUploadedFile("c2.png", buffer.getvalue(), content_type="image/png")
    child.save()
    now = timezone.now()
    # Missing 30 hours; returned 60 hours ago, so the interview is due within the next 24 hours.
    last_seen, returned = now - datetime.timedelta(hours=90), now - datetime.timedelta(hours=60)
    episode = missing_episode(world, child, last_seen=last_seen)
    sweep(last_seen + datetime.timedelta(hours=24, minutes=5))
    with time_machine.travel(returned, tick=False):
        episode = episode_record_return(episode=episode, by=world.police_f1, returned_at=returned, now=returned)
    interview = ReturnInterview.objects.get(episodes=episode)
    interview_services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    escalation = Escalation.objects.get(child=child, rule=rules.MISSING_24_HOURS)
    task = EscalationTask.objects.create(
        escalation=escalation, kind=rules.SUPPORT_DISCUSSION, assigned_to=world.social_worker_a, created_at=now
    )
    meeting = Meeting.objects.get(records__child=child)
    record = meeting.records.get(child=child)
    action = risk_services.meeting_action_add(
        record=record,
        by=world.coordinator_a,
        description="Visit the placement",
        owner=world.social_worker_a,
        due_on=timezone.localdate() + datetime.timedelta(days=2),
    )
    assessment = risk_services.assessment_start(child=child, by=world.social_worker_a)
    privacy_services.child_restrict(child=child, by=world.manager_a, reason=REASON, members=[world.social_worker_a])
    return {
        "child": child,
        "episode": episode,
        "interview": interview,
        "escalation": escalation,
        "task": task,
        "meeting": meeting,
        "record": record,
        "action": action,
        "assessment": assessment,
    }


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def answer(client, route, c2):
    url = reverse(route, args=KIND_ARGS[ROUTES[route]](c2))
    return client.post(url) if route in POST_ONLY else client.get(url)


def lists_naming_c2(client, c2) -> tuple[set[str], set[str]]:
    """The lists whose page names C2, and the API lists that return C2's object."""
    today = timezone.localdate()
    period = {"period_from": (today - datetime.timedelta(days=7)).isoformat(), "period_to": today.isoformat()}
    # The week C2's episode was open in (early on a Monday, that is last week).
    week = {"week": timezone.localdate(c2["episode"].last_seen_at).isoformat()}
    asked = {"reporting:dashboard_records": period, "weekly_meeting_list": week}
    naming = set()
    for name, (route, params) in LISTS.items():
        params = {**params, **asked.get(route, {})}
        if "Restrictova" in client.get(reverse(route), params).content.decode():
            naming.add(name)
    returning = set()
    for route, what in API_LISTS.items():
        response = client.get(reverse(route))
        assert response.status_code == 200, route
        if c2[what].pk in [row["id"] for row in response.json()["results"]]:
            returning.add(route)
    return naming, returning


def test_every_route_kind_is_mapped_or_holds_no_child():
    unknown = set(ROUTES.values()) - set(KIND_ARGS) - NOT_CHILD_BEARING
    assert not unknown, f"Decide what these route kinds show for a restricted child: {sorted(unknown)}"


def test_every_child_route_has_its_cell_written_out():
    assert sorted(NAMED["social_worker_a"]) == sorted(NAMED["manager_a"]) == CHILD_ROUTES
    assert sorted(BREAK_GLASS_COORDINATOR) == CHILD_ROUTES
    # Every persona of the world is in exactly one column.
    assert set(PERSONAS) == set(VISIBLE)
    assert len(PERSONAS) == len(NAMED) + len(UNNAMED_IN_SCOPE) + len(OUT_OF_SCOPE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_c2_is_named_to_the_named_and_a_404_naming_nothing_to_everyone_else(client, world, c2, persona):
    user = getattr(world, persona)
    client.force_login(user)

    # The lists and API lists (before the posts below change anything).
    naming, returning = lists_naming_c2(client, c2)
    if persona in NAMED:
        assert naming == LISTED_FOR_NAMED[persona]
        assert returning == set(API_LISTS)
    else:
        assert naming == set(), f"{persona} sees C2 named in {sorted(naming)}"
        assert returning == set(), f"{persona} gets C2's records from {sorted(returning)}"

    # Every route holding one of C2's records.
    for route in CHILD_ROUTES:
        response = answer(client, route, c2)
        body = body_of(response)
        if persona in NAMED:
            expected = NAMED[persona][route]
        elif route == "privacy:break_glass" and persona in UNNAMED_IN_SCOPE:
            expected = 200  # the break-glass form, which names no child
        else:
            expected = 404
        assert response.status_code == expected, f"{persona} {route}: {response.status_code}"
        if expected != 200 or persona not in NAMED:
            assert not any(name in body for name in NAMES), f"{persona} {route} names C2"
        if persona in OUT_OF_SCOPE:
            # Z4: out of scope learns nothing, not even that there is a restricted record.
            assert "restricted" not in body.lower(), f"{persona} {route}"
    if persona not in NAMED:
        # The posts changed nothing.
        assert not EscalationTask.objects.filter(pk=c2["task"].pk, done_at__isnull=False).exists()
        assert not MeetingAction.objects.filter(pk=c2["action"].pk, completed_at__isnull=False).exists()
        assert not EscalationRecipient.objects.filter(user=user, acknowledged_at__isnull=False).exists()
        assert list(RiskAssessment.objects.filter(child=c2["child"])) == [c2["assessment"]]


def test_an_unnamed_person_in_scope_is_told_the_record_is_restricted_on_its_page(client, world, c2):
    client.force_login(world.police_f1)
    body = client.get(reverse("children:detail", args=[c2["child"].pk])).content.decode()
    assert "This record is restricted" in body
    assert not any(name in body for name in NAMES)


def test_break_glass_gives_the_coordinator_the_in_scope_answers_until_it_expires(client, world, c2):
    coordinator = world.coordinator_a
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        grant = privacy_services.break_glass(
            child=c2["child"], by=coordinator, reason=EMERGENCY, code=totp_code(coordinator)
        )
        client.force_login(coordinator)
        naming, returning = lists_naming_c2(client, c2)
        assert naming == LISTED_FOR_BREAK_GLASS_COORDINATOR
        assert returning == set(API_LISTS)
        for route in CHILD_ROUTES:
            status = answer(client, route, c2).status_code
            assert status == BREAK_GLASS_COORDINATOR[route], f"break-glass {route}: {status}"

        traveller.move_to(grant.expires_at)
        client.force_login(coordinator)
        for route in CHILD_ROUTES:
            response = answer(client, route, c2)
            expected = 200 if route == "privacy:break_glass" else 404
            assert response.status_code == expected, f"after expiry {route}: {response.status_code}"
            assert not any(name in body_of(response) for name in NAMES), route
        assert lists_naming_c2(client, c2) == (set(), set())


def test_a_meeting_shared_with_c1_shows_the_unnamed_only_c1s_part(client, world, c2, monkeypatch):
    """A meeting the manager convenes for C1 and C2 is the hub's for C1 only: C2's record, its
    name and its part of the PDF are not."""
    shared = risk_services.meeting_create(
        kind=rules.MeetingKind.INTERVENTION, children=[world.c1, c2["child"]], by=world.manager_a
    )
    c2_record = shared.records.get(child=c2["child"])
    printed = []
    monkeypatch.setattr("risk.pdf.meeting_pdf", lambda meeting, records: printed.append(records) or b"%PDF-")

    for persona, sees_c2 in [("coordinator_a", False), ("manager_a", True), ("social_worker_a", True)]:
        client.force_login(getattr(world, persona))
        detail = client.get(shared.get_absolute_url())
        assert detail.status_code == 200
        assert ("Restrictova" in detail.content.decode()) == sees_c2, persona
        api = client.get(reverse("api-meetings-detail", args=[shared.pk])).json()
        assert (c2["child"].pk in [r["child"] for r in api["records"]]) == sees_c2, persona
        status = client.get(reverse("risk:meeting_record", args=[shared.pk, c2_record.pk])).status_code
        assert status == (200 if sees_c2 else 404), persona
        assert client.get(reverse("risk:meeting_pdf", args=[shared.pk])).status_code == 200
        assert (c2_record in printed.pop()) == sees_c2, persona
