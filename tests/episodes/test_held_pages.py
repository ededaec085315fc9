"""The records-to-confirm queue and one record beside its candidate children: who sees what,
confirming a match, rejecting every candidate, and decisions that are refused."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children import services as children_services
from children.models import Child
from episodes.models import Episode, HeldReport, MatchCandidate
from tests.factories import make_child, make_episode, report_row

pytestmark = pytest.mark.django_db

BORN = datetime.date(2011, 3, 7)


@pytest.fixture
def jayden(world):
    return make_child(
        responsible=world.la_a,
        given_name="Jayden",
        family_name="Okoro",
        date_of_birth=BORN,
        postcode="M14 5RT",
        ethnicity="Black African",
    )


@pytest.fixture
def held(world, jayden) -> HeldReport:
    """A GMP record about "Jaden Okoro" in Manchester: probably Jayden, waiting to be confirmed."""
    record = make_episode(
        given_name="Jaden",
        family_name="Okoro",
        date_of_birth=BORN.isoformat(),
        home_postcode="m14 5rt",
        ethnicity="White British",
        circumstances="Left the house after an argument",
    )
    assert isinstance(record, HeldReport)
    return record


def detail_url(held):
    return reverse("episodes:held_detail", args=[held.pk])


def written():
    """Everything a decision could write."""
    return (
        Episode.objects.count(),
        Episode.history.count(),
        Child.objects.count(),
        HeldReport.history.count(),
        list(HeldReport.objects.values_list("decision", flat=True)),
    )


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_lists_the_authoritys_waiting_records(client, world, held):
    client.force_login(world.coordinator_a)

    body = client.get(reverse("episodes:held_list")).content.decode()

    assert f"GMP {held.force_reference}" in body
    assert "Jaden Okoro" in body and "born 7 Mar 2011" in body
    assert "Manchester" in body


def test_another_authoritys_coordinator_does_not_see_the_record(client, world, held):
    client.force_login(world.coordinator_b)

    response = client.get(reverse("episodes:held_list"))

    assert response.status_code == 200
    assert held.force_reference not in response.content.decode()


@pytest.mark.parametrize("persona", ["police_f1", "police_f2", "social_worker_a", "rhi_worker", "analyst_a", "iro_a"])
def test_the_queue_is_for_coordinators_and_managers(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("episodes:held_list")).status_code == 403


def test_a_manager_sees_the_queue(client, world, held):
    client.force_login(world.manager_a)
    assert held.force_reference in client.get(reverse("episodes:held_list")).content.decode()


def test_signed_out_people_are_sent_to_sign_in(client, held):
    for url in (reverse("episodes:held_list"), detail_url(held)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def _hold(world, first: int, n: int) -> None:
    """n records (every other one already decided), each with three candidate children."""
    children = [make_child(responsible=world.la_a) for _ in range(3)]
    now = timezone.now()
    records = HeldReport.objects.bulk_create(
        HeldReport(
            force=world.force_f1,
            force_reference=f"MP/Q{i}",
            local_authority=world.la_a,
            report=report_row(force_reference=f"MP/Q{i}"),
            source="feed",
            source_label="test feed",
            received_at=now - datetime.timedelta(minutes=i),
            decision=HeldReport.Decision.WAITING if i % 2 else HeldReport.Decision.NEW_CHILD,
            decided_by=None if i % 2 else world.coordinator_a,
            decided_at=None if i % 2 else now,
        )
        for i in range(first, first + n)
    )
    MatchCandidate.objects.bulk_create(
        MatchCandidate(held_report=record, child=child, reason="same name, day and month of birth swapped")
        for record in records
        for child in children
    )


def test_the_queue_takes_the_same_number_of_queries_for_10_and_100_records(client, world):
    client.force_login(world.coordinator_a)
    client.get(reverse("episodes:held_list"))  # the first request after signing in records the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("episodes:held_list")).status_code == 200
        return len(captured)

    _hold(world, 0, 10)
    with_10 = queries()
    _hold(world, 10, 90)
    with_100 = queries()

    # Session, user, the user's sessions (with savepoints), MFA check, memberships; for the waiting
    # records the authorities the user's council serves, the children's authorities (only
    # candidates the user may see are counted), the count and the page; for the decided ones the
    # authorities twice (the records', their children's) and the records; saving the session.
    # Nothing per record.
    assert with_10 == with_100
    assert with_100 <= 20


# --- One record beside its candidates --------------------------------------------------------


def test_the_record_is_shown_beside_the_candidate_with_differences_marked(client, world, held, jayden):
    client.force_login(world.coordinator_a)

    body = client.get(detail_url(held)).content.decode()

    assert "Jaden Okoro" in body and jayden.get_absolute_url() in body
    assert "Same date of birth, name spelt differently" in body
    # Given name and ethnicity differ: highlighted and said in words, not by colour alone.
    assert '<mark>Jayden</mark> <strong class="govuk-tag govuk-tag--orange">Different</strong>' in body
    assert "<mark>Black African</mark>" in body
    # Same postcode written differently, same family name and date of birth: not marked.
    assert "<mark>M14 5RT</mark>" not in body and "<mark>Okoro</mark>" not in body
    assert "<mark>7 March 2011</mark>" not in body
    assert "Left the house after an argument" in body
    assert "This is Jayden Okoro, born 7 March 2011" in body and "None of these: a new child" in body


def test_a_swapped_date_of_birth_is_marked_and_explained(client, world, jayden):
    held = make_episode(given_name="Jayden", family_name="Okoro", date_of_birth="2011-07-03")
    client.force_login(world.coordinator_a)

    body = client.get(detail_url(held)).content.decode()

    assert "<mark>7 March 2011</mark>" in body and "Day and month swapped" in body


@pytest.mark.parametrize("persona", ["coordinator_b", "police_f1", "police_f2", "social_worker_a", "analyst_a"])
def test_outsiders_get_404_on_the_record(client, world, held, persona):
    client.force_login(getattr(world, persona))
    assert client.get(detail_url(held)).status_code == 404
    before = written()
    assert client.post(detail_url(held), {"decision": "new"}).status_code == 404
    assert written() == before


def test_a_record_that_does_not_exist_is_404(client, world):
    client.force_login(world.coordinator_a)
    assert client.get(reverse("episodes:held_detail", args=[999999])).status_code == 404


def test_confirming_links_the_record_to_the_child(client, world, held, jayden):
    client.force_login(world.coordinator_a)

    response = client.post(detail_url(held), {"decision": str(jayden.pk)})

    episode = Episode.objects.get(force=world.force_f1, force_reference=held.force_reference)
    assert episode.child == jayden
    assert response.status_code == 302 and response["Location"] == reverse("episodes:detail", args=[episode.pk])
    held.refresh_from_db()
    assert held.decision == HeldReport.Decision.LINKED and held.episode == episode
    assert held.decided_by == world.coordinator_a
    decision = held.history.order_by("-history_date", "-history_id").first()
    assert decision.history_user == world.coordinator_a and decision.decision == HeldReport.Decision.LINKED
    assert Child.objects.filter(family_name="Okoro").count() == 1


def test_the_decided_record_shows_its_decision_and_history_read_only(client, world, held, jayden):
    client.force_login(world.coordinator_a)
    client.post(detail_url(held), {"decision": str(jayden.pk)})

    body = client.get(detail_url(held)).content.decode()

    assert "Record confirmed" in body and "Linked to an existing child" in body
    assert "Cora Ordinator" in body  # who decided, in the summary and the history
    assert "Held for a coordinator to confirm which child it is about" in body
    assert "Linked to an existing child: Jayden Okoro" in body
    assert "Confirm</button>" not in body and 'name="decision"' not in body


def test_the_queue_lists_a_decision_below_the_waiting_records(client, world, held, jayden):
    client.force_login(world.coordinator_a)
    client.post(detail_url(held), {"decision": str(jayden.pk)})

    body = client.get(reverse("episodes:held_list")).content.decode()

    assert "0 waiting" in body
    assert "Linked to an existing child: Jayden Okoro" in body and "Cora Ordinator" in body


def test_none_of_these_creates_a_new_child_and_episode(client, world, held, jayden):
    client.force_login(world.manager_a)

    response = client.post(detail_url(held), {"decision": "new"})

    episode = Episode.objects.get(force=world.force_f1, force_reference=held.force_reference)
    assert episode.child != jayden
    assert (episode.child.given_name, episode.child.family_name) == ("Jaden", "Okoro")
    assert episode.child.responsible_authority == world.la_a
    assert response["Location"] == reverse("episodes:detail", args=[episode.pk])
    held.refresh_from_db()
    assert held.decision == HeldReport.Decision.NEW_CHILD and held.decided_by == world.manager_a


def test_deciding_twice_is_refused_and_writes_nothing(client, world, held, jayden):
    client.force_login(world.coordinator_a)
    client.post(detail_url(held), {"decision": str(jayden.pk)})
    before = written()

    response = client.post(detail_url(held), {"decision": "new"})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "This record has already been decided." in response.content.decode()
    assert written() == before


def test_choosing_a_child_who_is_not_a_candidate_is_refused_and_writes_nothing(client, world, held):
    client.force_login(world.coordinator_a)
    before = written()

    response = client.post(detail_url(held), {"decision": str(world.c1.pk)})

    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Choose one of the children listed" in body
    assert written() == before


def test_confirming_without_a_choice_is_refused_and_writes_nothing(client, world, held):
    client.force_login(world.coordinator_a)
    before = written()

    response = client.post(detail_url(held), {})

    body = response.content.decode()
    assert "Error: " in body and "Choose the child this record is about" in body
    assert written() == before


def test_a_record_sent_again_while_waiting_shows_in_its_history(client, world, held):
    make_episode(
        force_reference=held.force_reference,
        given_name="Jaden",
        family_name="Okoro",
        date_of_birth=BORN.isoformat(),
        circumstances="Seen at Piccadilly Gardens with older males",
    )
    client.force_login(world.coordinator_a)

    body = client.get(detail_url(held)).content.decode()

    assert HeldReport.objects.filter(force_reference=held.force_reference).count() == 1
    assert "The police sent the record again" in body
    assert "Seen at Piccadilly Gardens with older males" in body


def test_an_alias_match_says_which_alias_the_police_used(client, world, jayden):
    children_services.child_update(child=jayden, by=world.coordinator_a, reason="Known as Jay", aliases=["Jay"])
    held = make_episode(given_name="Jay", family_name="Okoro", date_of_birth=BORN.isoformat())
    client.force_login(world.coordinator_a)

    body = client.get(detail_url(held)).content.decode()

    assert "Known by this name (an alias)" in body
    assert "Jay is the name the police gave" in body
