"""The data protection officer's review queue of break-glass uses (security battery Z8: each use
is a review queue item): what the person gave as a reason and what they read, reviewed once,
with a note, by an officer of the child's council."""

import pytest
from django.urls import reverse

from organisations.roles import Role
from privacy.models import BreakGlassGrant
from tests.factories import person
from tests.privacy.test_restricted import EMERGENCY, break_glass, c2  # noqa: F401  (c2 is a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    return person(Role.DATA_PROTECTION_OFFICER, world.council_a, full_name="Dana Protection")


@pytest.fixture
def grant(client, world, c2):  # noqa: F811
    assert break_glass(client, world.coordinator_a, c2).status_code == 302
    assert client.get(c2.get_absolute_url()).status_code == 200  # she reads the record
    client.logout()
    return BreakGlassGrant.objects.get()


def test_a_break_glass_use_waits_in_the_officers_queue_with_the_reason_and_the_reads(client, world, officer, grant):
    client.force_login(officer)
    assert "1 waiting" in client.get(reverse("home")).content.decode()
    queue = client.get(reverse("privacy:break_glass_reviews")).content.decode()
    assert "Cora Ordinator" in queue and EMERGENCY in queue and "Restrictova" in queue
    page = client.get(reverse("privacy:break_glass_review", args=[grant.pk])).content.decode()
    assert EMERGENCY in page
    assert "Emergency access (break-glass): break-glass" in page and "Viewed a page: child record" in page


def test_a_review_needs_a_note_then_leaves_the_queue_and_is_kept(client, world, officer, grant):
    client.force_login(officer)
    url = reverse("privacy:break_glass_review", args=[grant.pk])
    response = client.post(url, {"note": "  "})
    assert "Enter what you found when you reviewed this use of break-glass" in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None and grant.history.count() == 1

    response = client.post(url, {"note": "Reason confirmed with the police: she read the photo only."})
    assert response.status_code == 302 and response["Location"] == reverse("privacy:break_glass_reviews")
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_note) == (
        officer,
        "Reason confirmed with the police: she read the photo only.",
    )
    assert grant.history.first().history_user == officer
    assert "Nothing to review" in client.get(reverse("privacy:break_glass_reviews")).content.decode()
    assert "waiting" not in client.get(reverse("home")).content.decode()
    again = client.post(url, {"note": "A second look"})
    assert "Dana Protection already reviewed this use of break-glass" in again.content.decode()


def test_only_an_officer_of_the_childs_council_reviews(client, world, grant):
    client.force_login(world.manager_a)
    assert client.get(reverse("privacy:break_glass_reviews")).status_code == 403
    assert client.get(reverse("privacy:break_glass_review", args=[grant.pk])).status_code == 403
    client.force_login(person(Role.DATA_PROTECTION_OFFICER, world.council_b))
    assert "Restrictova" not in client.get(reverse("privacy:break_glass_reviews")).content.decode()
    response = client.post(reverse("privacy:break_glass_review", args=[grant.pk]), {"note": "Not mine to review"})
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None
