"""Security battery Z1, Z2, Z4 (foundation scale): every route, as every persona, leaks nothing.

The expected visibility is written out here by hand, not derived from the code under test.
A new named route fails `test_every_route_is_classified` until someone decides what it shows.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

pytestmark = pytest.mark.django_db

# Route name -> what it holds. "child" routes take a child's pk and must 404 out of scope.
ROUTES = {
    "home": "page",
    "keepalive": "page",
    "weekly_meeting_list": "page",
    "your_account": "page",
    # Ending a session: only one's own; another person's is a 404 (tests/security/test_sessions.py).
    "session_end": "own_session",
    "health": "public",
    "privacy:access_log": "page",
    # Who has viewed a child: 404 out of the child's scope, 403 but for managers
    # (tests/privacy/test_viewers.py).
    "privacy:child_viewers": "child",
    # Restricting a child and breaking the glass: 404 out of the child's scope
    # (tests/privacy/test_restricted.py).
    "privacy:restrict": "child",
    "privacy:lift": "child",
    "privacy:break_glass": "child",
    # The review queue of break-glass uses: 403 but to data protection officers; a use 404s for
    # officers of councils not serving the child (tests/privacy/test_break_glass_review.py).
    "privacy:break_glass_reviews": "page",
    "privacy:break_glass_review": "dpo_request",
    # Subject access: the pages are refused (403) but to data protection officers; a request and
    # its files 404 for anyone but the officers of a council serving the child
    # (tests/privacy/test_subject_access.py).
    "privacy:subject_access_list": "page",
    "privacy:subject_access_new": "page",
    "privacy:subject_access_detail": "dpo_request",
    "privacy:subject_access_download": "dpo_request",
    # Retention: the review is refused (403) but to a council's managers and data protection
    # officers; a child's retention, its legal hold and the deletion 404 for anyone but the
    # reviewers of the responsible council (tests/privacy/test_retention.py).
    "privacy:retention_review": "page",
    "privacy:retention_child": "child",
    "privacy:retention_hold": "child",
    "privacy:retention_lift_hold": "child",
    "privacy:retention_delete": "child",
    "children:list": "page",
    "children:create": "page",
    "children:detail": "child",
    "children:edit": "child",
    "children:photo": "child",
    "api-children-list": "api_list",
    "api-children-detail": "child_api",
    "api-schema": "api_meta",
    "episodes:list": "page",
    "episodes:create": "page",
    "episodes:create_away": "page",
    "episodes:detail": "episode",
    "episodes:record_return": "episode",
    "episodes:reclassify": "episode",
    "episodes:safe_and_well": "episode",
    "episodes:close": "episode",
    "episodes:reopen": "episode",
    "episodes:import": "page",
    "episodes:import_job": "own_job",
    "episodes:import_job_status": "own_job",
    "episodes:import_rejected": "own_job",
    "episodes:held_list": "page",
    "episodes:held_detail": "held",
    "api-police-reports": "api_write",
    "api-episodes-list": "api_list",
    "api-episodes-detail": "episode_api",
    "api-docs": "api_meta",
    "interviews:list": "page",
    "interviews:caseload": "page",
    "interviews:inbox": "page",
    "interviews:notification_read": "own_notification",
    "interviews:detail": "interview",
    "interviews:triage": "interview",
    "interviews:allocate": "interview",
    "interviews:attempt": "interview",
    "interviews:outcome": "interview",
    "interviews:record": "interview",
    "interviews:review": "interview",
    "interviews:visit": "episode",
    "interviews:pdf": "interview",
    "api-return-interviews-list": "api_list",
    "api-return-interviews-detail": "interview_api",
    # Statutory returns: 404 but for a council's coordinators and managers, children scoped and
    # of the chosen authority (tests/reporting/test_exports_page.py).
    "exports:exports": "export",
    # The manager dashboard: 404 but for coordinators, managers and analysts; figures within
    # the reader's scope; the records behind a figure refused (403) to analysts
    # (tests/reporting/test_dashboard.py).
    "reporting:dashboard": "dashboard",
    "reporting:dashboard_records": "dashboard",
    # The monthly governance pack: asked for by the dashboard's readers for one of their
    # authorities; the pack, its progress and its files 404 for anyone but the person who asked,
    # while they may still read that authority (tests/reporting/test_pack.py).
    "reporting:pack_new": "dashboard",
    "reporting:pack_detail": "own_pack",
    "reporting:pack_status": "own_pack",
    "reporting:pack_download": "own_pack",
    # The dashboard's figures as JSON: as the dashboard page (tests/reporting/test_summary_api.py).
    "api-reports-summary": "dashboard",
    "risk:escalation_list": "page",
    "risk:escalation_detail": "escalation",
    "risk:escalation_acknowledge": "escalation",
    "risk:task_done": "escalation",
    "api-escalations-list": "api_list",
    "api-escalations-detail": "escalation_api",
    "risk:meeting_list": "page",
    "risk:meeting_create": "page",
    "risk:meeting_detail": "meeting",
    "risk:meeting_held": "meeting",
    "risk:meeting_not_needed": "meeting",
    "risk:meeting_invitee": "meeting",
    "risk:meeting_record": "meeting_record",
    "risk:meeting_action_add": "meeting_record",
    "risk:meeting_action_done": "meeting_action",
    "risk:meeting_pdf": "meeting",
    "api-meetings-list": "api_list",
    "api-meetings-detail": "meeting_api",
    "risk:assessment_list": "child",
    "risk:assessment_start": "child",
    "risk:assessment_detail": "assessment",
    "risk:assessment_edit": "assessment",
    "risk:assessment_sign": "assessment",
}
# Third-party route families with no child data: sign-in and MFA (allauth), the admin (staff only).
THIRD_PARTY_PREFIXES = ("account_", "mfa_", "usersessions_", "admin:")

# persona -> the fixture children they may see (C1 in LA-A, C3 in LA-B, C4 LA-B's placed in LA-A).
VISIBLE = {
    "coordinator_a": {"c1", "c4"},
    "coordinator_b": {"c3", "c4"},
    "social_worker_a": {"c1", "c4"},
    "manager_a": {"c1", "c4"},
    "iro_a": {"c1", "c4"},
    "rhi_worker": set(),  # a charity worker sees only children allocated to them (none yet)
    "police_f1": set(),  # police see children with episodes in their force (none yet)
    "police_f2": set(),
    "analyst_a": set(),  # figures only
    "admin": set(),  # manages accounts, not case data
}
EDITORS = {"coordinator_a", "coordinator_b", "social_worker_a", "manager_a"}
CHILDREN = ("c1", "c3", "c4")


def named_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from named_routes(pattern, prefix + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_every_route_is_classified():
    unclassified = {name for name in named_routes() if name not in ROUTES and not name.startswith(THIRD_PARTY_PREFIXES)}
    assert not unclassified, f"Decide what these routes show and add them to ROUTES: {sorted(unclassified)}"


@pytest.fixture
def photo_world(world):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    for name in CHILDREN:
        child = getattr(world, name)
        child.photo = SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")
        child.save()
    return world


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_child_routes_answer_404_out_of_scope_and_work_in_scope(client, photo_world, persona):
    world = photo_world
    client.force_login(getattr(world, persona))
    for name in CHILDREN:
        child = getattr(world, name)
        visible = name in VISIBLE[persona]
        expected = {
            "children:detail": 200 if visible else 404,
            "children:edit": (200 if persona in EDITORS else 403) if visible else 404,
            "children:photo": 200 if visible else 404,
            "api-children-detail": 200 if visible else 404,
        }
        for route, status in expected.items():
            response = client.get(reverse(route, args=[child.pk]))
            assert response.status_code == status, f"{persona} GET {route} for {name}"
        # A write to an out-of-scope child is a 404 too, and changes nothing.
        response = client.post(reverse("children:edit", args=[child.pk]), {"family_name": "Changed"})
        assert response.status_code == (404 if not visible else response.status_code)
        child.refresh_from_db()
        assert child.family_name != "Changed"


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_lists_search_counts_and_api_show_only_children_in_scope(client, world, persona):
    client.force_login(getattr(world, persona))
    pages = {
        "home": client.get(reverse("home")).content.decode(),
        "list": client.get(reverse("children:list")).content.decode(),
        "search": client.get(reverse("children:list"), {"q": "a"}).content.decode(),
    }
    api = client.get(reverse("api-children-list")).json()
    for name in CHILDREN:
        child = getattr(world, name)
        visible = name in VISIBLE[persona]
        for page, body in pages.items():
            if page == "home":
                continue  # the home page lists only recent or allocated children
            assert (child.family_name in body) == visible, f"{persona} {page} {name}"
        if not visible:
            assert child.family_name not in pages["home"]
        assert (child.pk in [row["id"] for row in api["results"]]) == visible
    assert api["count"] == len(VISIBLE[persona])


def test_an_out_of_scope_id_and_a_missing_id_look_the_same(client, world):
    """Z4: probing ids reveals nothing: another authority's child and no child both 404."""
    client.force_login(world.coordinator_b)
    assert client.get(reverse("children:detail", args=[world.c1.pk])).status_code == 404
    assert client.get(reverse("children:detail", args=[999999])).status_code == 404
    assert client.get(reverse("api-children-detail", args=[world.c1.pk])).status_code == 404


def test_anonymous_clients_are_sent_to_sign_in_and_the_api_refuses_them(client, world):
    for route in ("home", "children:list", "children:create"):
        response = client.get(reverse(route))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    response = client.get(reverse("children:detail", args=[world.c1.pk]))
    assert response.status_code == 302
    assert client.get(reverse("api-children-list")).status_code in (401, 403)
    assert client.get(reverse("api-schema")).status_code in (401, 403)
