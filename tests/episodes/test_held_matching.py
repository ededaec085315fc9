"""Police records that only probably match a known child wait in the queue, with the reason."""

import datetime

import pytest

from children import services as children_services
from episodes.models import Episode, HeldReport
from episodes.selectors_matching import held_reports_waiting
from tests.factories import make_child, make_episode

pytestmark = pytest.mark.django_db

BORN = datetime.date(2011, 3, 7)


@pytest.fixture
def jayden(world):
    return make_child(responsible=world.la_a, given_name="Jayden", family_name="Okoro", date_of_birth=BORN)


def reasons(held: HeldReport) -> list[str]:
    return list(held.match_candidates.values_list("reason", flat=True))


def test_a_misspelt_name_waits_for_a_coordinator(world, jayden):
    held = make_episode(given_name="Jaden", family_name="Okoro", date_of_birth=BORN.isoformat())

    assert isinstance(held, HeldReport) and held.decision == HeldReport.Decision.WAITING
    assert list(held.candidates.all()) == [jayden]
    assert reasons(held) == ["same date of birth, name spelt differently"]
    assert not Episode.objects.filter(force_reference=held.force_reference).exists()


def test_a_date_of_birth_with_day_and_month_swapped_waits(world, jayden):
    held = make_episode(given_name="Jayden", family_name="Okoro", date_of_birth="2011-07-03")

    assert isinstance(held, HeldReport)
    assert reasons(held) == ["same name, day and month of birth swapped"]


def test_a_known_alias_waits(world, jayden):
    children_services.child_update(child=jayden, by=world.coordinator_a, reason="Known as Jay", aliases=["Jay"])

    held = make_episode(given_name="Jay", family_name="Okoro", date_of_birth=BORN.isoformat())

    assert isinstance(held, HeldReport)
    assert reasons(held) == ["known by this name (an alias)"]


def test_an_exact_match_after_normalising_is_linked_not_held(world, jayden):
    episode = make_episode(given_name="JAYDEN", family_name=" okoro ", date_of_birth=BORN.isoformat())

    assert isinstance(episode, Episode) and episode.child == jayden
    assert not HeldReport.objects.exists()


def test_the_waiting_queue_holds_only_the_users_authority(world, jayden):
    in_a = make_episode(given_name="Jaden", family_name="Okoro", date_of_birth=BORN.isoformat())
    callum = world.c3
    in_b = make_episode(
        local_authority="Stockport",
        given_name="Calum",
        family_name=callum.family_name,
        date_of_birth=callum.date_of_birth.isoformat(),
    )

    assert list(held_reports_waiting(world.coordinator_a)) == [in_a]
    assert list(held_reports_waiting(world.coordinator_b)) == [in_b]
    assert list(held_reports_waiting(world.manager_a)) == [in_a]
    for outsider in (world.police_f1, world.police_f2, world.social_worker_a, world.analyst_a, world.admin):
        assert not held_reports_waiting(outsider).exists()
    assert held_reports_waiting(world.coordinator_a).get().candidate_count == 1
