"""Every interview route, as every persona, leaks nothing: out of scope is a 404. A police SPOC
sees an interview only once authorised and shared, and only for their own force."""

import pytest
from django.urls import reverse

from interviews.models import ReturnInterview
from tests.factories import make_child

from .conftest import authorised, returned_interview

pytestmark = pytest.mark.django_db

VISIBLE = {
    "coordinator_a": {"i1", "i4"},
    "coordinator_b": {"i3", "i4"},
    "social_worker_a": {"i1", "i4"},
    "manager_a": {"i1", "i4"},
    "iro_a": {"i1", "i4"},
    "rhi_worker": {"i1"},  # allocated to them
    "police_f1": {"i1"},  # authorised and shared with GMP; i3 and i4 are not authorised yet
    "police_f2": set(),  # another force sees nothing
    "analyst_a": set(),
    "admin": set(),
}
ROUTES = [
    "interviews:detail",
    "interviews:triage",
    "interviews:allocate",
    "interviews:attempt",
    "interviews:outcome",
    "interviews:record",
    "interviews:review",
    "interviews:pdf",
    "api-return-interviews-detail",
]


@pytest.fixture
def interviews(world):
    i1 = authorised(world, returned_interview(world, world.c1))
    i3 = returned_interview(world, world.c3)
    i4 = returned_interview(world, world.c4)
    return {"i1": i1, "i3": i3, "i4": i4}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_interview_routes_answer_404_out_of_scope(client, world, interviews, persona):
    client.force_login(getattr(world, persona))
    for name, interview in interviews.items():
        visible = name in VISIBLE[persona]
        routes = [(route, [interview.pk]) for route in ROUTES]
        for route, args in routes:
            status = client.get(reverse(route, args=args)).status_code
            if visible:
                assert status in (200, 403), f"{persona} GET {route} for {name}: {status}"
            else:
                assert status == 404, f"{persona} GET {route} for {name}: {status}"
        # A write out of scope is a 404 and changes nothing.
        response = client.post(reverse("interviews:triage", args=[interview.pk]), {"triage": "green", "reason": "x"})
        if not visible:
            assert response.status_code == 404
            assert ReturnInterview.objects.get(pk=interview.pk).triage_override == ""


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_the_api_lists_only_interviews_in_scope(client, world, interviews, persona):
    client.force_login(getattr(world, persona))
    listed = {row["id"] for row in client.get(reverse("api-return-interviews-list")).json()["results"]}
    assert listed == {interviews[name].pk for name in VISIBLE[persona]}


def test_a_charity_worker_sees_the_children_allocated_to_them_only(client, world, interviews):
    client.force_login(world.rhi_worker)
    assert client.get(reverse("children:detail", args=[world.c1.pk])).status_code == 200
    assert client.get(reverse("children:detail", args=[world.c4.pk])).status_code == 404
    other = make_child(responsible=world.la_a)
    assert client.get(reverse("children:detail", args=[other.pk])).status_code == 404


def test_the_pdf_is_for_the_people_it_is_shared_with_and_every_download_is_logged(client, world, interviews):
    interview = interviews["i1"]
    world.c1.refresh_from_db()
    for persona, status in [("social_worker_a", 200), ("police_f1", 200), ("manager_a", 200), ("coordinator_a", 403)]:
        client.force_login(getattr(world, persona))
        response = client.get(reverse("interviews:pdf", args=[interview.pk]))
        assert response.status_code == status, persona
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")
    assert {d.user for d in interview.downloads.all()} == {world.social_worker_a, world.police_f1, world.manager_a}
