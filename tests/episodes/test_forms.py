"""The episode forms: a police report recorded by hand, a return, a reclassification, the
safe-and-well check, away from placement, closing and reopening. Every rejected input writes
nothing; a save from a stale screen is a conflict (409) that overwrites nothing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from children.models import Child
from deadlines.models import Deadline, DeadlineState
from episodes import services
from episodes.deadlines import SAFE_AND_WELL
from episodes.models import Episode, HeldReport, Reclassification, SafeAndWellCheck
from tests.factories import make_episode

pytestmark = pytest.mark.django_db

# 12:00 in London (GMT).
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def local(hours_ago: float) -> str:
    """A datetime-local input's value: UK time, no offset (GMT in November)."""
    return (NOW - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def written() -> dict[str, int]:
    return {
        "episodes": Episode.objects.count(),
        "episode history": Episode.history.count(),
        "children": Child.objects.count(),
        "child history": Child.history.count(),
        "reclassifications": Reclassification.objects.count(),
        "checks": SafeAndWellCheck.objects.count(),
        "check history": SafeAndWellCheck.history.count(),
        "deadlines": Deadline.objects.count(),
        "held": HeldReport.objects.count(),
    }


def report(world, **overrides) -> dict[str, object]:
    data = {
        "force": "GMP",
        "force_reference": "MP/100200",
        "local_authority": world.la_a.pk,
        "category": "missing",
        "risk_level": "medium",
        "given_name": "Nia",
        "family_name": "Kowalczyk-Brown",
        "date_of_birth": "2012-04-17",
        "gender": "female",
        "last_seen_at": local(3),
        "reported_at": local(2),
        "missing_from": "home",
        "missing_from_postcode": "m14 5rx",
        "circumstances": "Did not come home from school",
        "cse_concern": "no",
    }
    data.update(overrides)
    return data


# --- Record a police report -------------------------------------------------------------------


def test_a_police_spoc_records_a_report_about_a_new_child(client, world):
    client.force_login(world.police_f1)
    response = client.post(reverse("episodes:create"), report(world))

    episode = Episode.objects.get(force_reference="MP/100200")
    assert response.status_code == 302 and response["Location"] == episode.get_absolute_url()
    assert episode.child.full_name == "Nia Kowalczyk-Brown" and episode.child.responsible_authority == world.la_a
    assert episode.source == "form" and episode.force == world.force_f1
    assert episode.last_seen_at == NOW - datetime.timedelta(hours=3)
    assert episode.missing_from_postcode == "M14 5RX"
    created = episode.history.get()
    assert created.history_user == world.police_f1
    assert created.history_change_reason == "Recorded by hand by Percy Constable"
    assert client.get(episode.get_absolute_url()).status_code == 200  # police now see the child


def test_a_coordinator_records_a_report_from_the_childs_page(client, world):
    client.force_login(world.coordinator_a)
    url = reverse("episodes:create") + f"?child={world.c1.pk}"
    page = client.get(url).content.decode()
    assert "This report is about Chloe Ashdown" in page and 'name="given_name"' not in page

    data = report(world)
    for name in ("given_name", "family_name", "date_of_birth", "gender"):
        data.pop(name)
    children = Child.objects.count()
    response = client.post(url, data)

    episode = Episode.objects.get(force_reference="MP/100200")
    assert response.status_code == 302
    assert episode.child == world.c1 and Child.objects.count() == children


def test_a_report_that_may_be_about_a_known_child_waits_for_the_coordinator(client, world):
    client.force_login(world.coordinator_a)
    data = report(world, given_name="Chloe", family_name="Ashdwon", date_of_birth=world.c1.date_of_birth.isoformat())

    response = client.post(reverse("episodes:create"), data, follow=True)

    held = HeldReport.objects.get(force_reference="MP/100200")
    assert response.redirect_chain[-1][0] == reverse("episodes:held_detail", args=[held.pk])
    assert not Episode.objects.filter(force_reference="MP/100200").exists()


def test_police_are_told_a_held_report_waits_for_the_hub(client, world):
    client.force_login(world.police_f1)
    data = report(world, given_name="Chloe", family_name="Ashdwon", date_of_birth=world.c1.date_of_birth.isoformat())

    response = client.post(reverse("episodes:create"), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("episodes:list")
    assert "the missing hub will confirm which child it is about" in response.content.decode()
    assert HeldReport.objects.filter(force_reference="MP/100200").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_seen_at": local(-2)}, "last_seen_at", "The time last seen is in the future."),
        ({"reported_at": local(5)}, "reported_at", "The time reported is before the time last seen."),
        ({"returned_at": local(4)}, "returned_at", "The return time is before the time last seen."),
        ({"last_seen_at": "2026-03-29T01:30", "reported_at": "2026-03-29T03:00"}, "last_seen_at", "did not exist"),
        ({"last_seen_at": "yesterday"}, "last_seen_at", "cannot be read as a date and time"),
        ({"date_of_birth": "2008-01-01"}, "date_of_birth", "makes the person 18 when last seen"),
        ({"found_postcode": "NOT A CODE"}, "found_postcode", "is not a UK postcode"),
        ({"category": ""}, "category", "This field is required"),
        ({"category": "away"}, "category", "Select a valid choice"),
        ({"force": "WMP"}, "force", "Select a valid choice"),  # not a force covering Manchester
        ({"safe_and_well_at": local(1)}, "safe_and_well_at", "the child has not returned"),
        ({"went_missing_with": "MP/100200"}, "went_missing_with", "names this record itself"),
    ],
)
def test_a_rejected_report_writes_nothing(client, world, overrides, field, message):
    client.force_login(world.coordinator_a)
    before = written()

    response = client.post(reverse("episodes:create"), report(world, **overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    assert written() == before


def test_a_reference_the_force_already_sent_is_not_recorded_twice(client, world):
    existing = make_episode(child=world.c1, force_reference="MP/100200")
    client.force_login(world.coordinator_a)
    before = written()

    response = client.post(reverse("episodes:create"), report(world))

    assert "GMP already has a record with the reference MP/100200" in response.content.decode()
    assert written() == before
    existing.refresh_from_db()
    assert existing.child == world.c1 and existing.version == 1


def test_forces_and_authorities_offered_follow_the_person(client, world):
    client.force_login(world.coordinator_a)
    form = client.get(reverse("episodes:create")).context["form"]
    assert "GMP" in {f.code for f in form.fields["force"].queryset}
    assert "WMP" not in {f.code for f in form.fields["force"].queryset}
    assert list(form.fields["local_authority"].queryset) == [world.la_a]

    client.force_login(world.police_f2)
    form = client.get(reverse("episodes:create")).context["form"]
    assert [f.code for f in form.fields["force"].queryset] == ["WMP"]
    assert world.la_a not in form.fields["local_authority"].queryset


@pytest.mark.parametrize("persona", ["social_worker_a", "iro_a", "rhi_worker", "analyst_a"])
def test_roles_that_do_not_record_police_reports_are_refused(client, world, persona):
    client.force_login(getattr(world, persona))
    before = written()
    assert client.get(reverse("episodes:create")).status_code == 403
    assert client.post(reverse("episodes:create"), report(world)).status_code == 403
    assert written() == before


def test_a_child_out_of_scope_is_not_found(client, world):
    for persona in (world.coordinator_b, world.police_f1, world.analyst_a):
        client.force_login(persona)
        url = reverse("episodes:create") + f"?child={world.c1.pk}"
        assert client.get(url).status_code == 404
        assert client.post(url, report(world)).status_code == 404
    assert not Episode.objects.exists()


# --- Record the return ------------------------------------------------------------------------


@pytest.fixture
def missing(world) -> Episode:
    return make_episode(child=world.c1, last_seen_at=local(6), reported_at=local(5))


def return_data(episode, **overrides):
    data = {
        "version": episode.version,
        "returned_at": local(1),
        "found_location": "McDonald's, Piccadilly",
        "found_postcode": "m1 1ae",
        "return_method": "police",
    }
    data.update(overrides)
    return data


def test_recording_the_return_starts_the_safe_and_well_clock(client, world, missing):
    client.force_login(world.police_f1)
    response = client.post(reverse("episodes:record_return", args=[missing.pk]), return_data(missing))

    assert response.status_code == 302
    missing.refresh_from_db()
    assert missing.state == "returned" and missing.returned_at == NOW - datetime.timedelta(hours=1)
    assert missing.found_postcode == "M1 1AE" and missing.return_method == "police"
    deadline = Deadline.objects.get(kind=SAFE_AND_WELL, subject_id=missing.pk)
    assert deadline.state == DeadlineState.OPEN and deadline.due_at == NOW + datetime.timedelta(hours=23)
    assert missing.history.first().history_user == world.police_f1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"found_postcode": "M1"}, "found_postcode", "Enter a real UK postcode"),
        ({"returned_at": local(-1)}, "returned_at", "The return time is in the future."),
        ({"returned_at": local(7)}, "returned_at", "The return time is before the time last seen."),
        ({"returned_at": ""}, "returned_at", "This field is required"),
        ({"returned_at": "2026-03-29T01:15"}, "returned_at", "did not exist in the UK"),
        ({"return_method": "teleported"}, "return_method", "Select a valid choice"),
    ],
)
def test_a_rejected_return_writes_nothing(client, world, missing, overrides, field, message):
    client.force_login(world.coordinator_a)
    before = written()

    response = client.post(reverse("episodes:record_return", args=[missing.pk]), return_data(missing, **overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert written() == before


@pytest.mark.parametrize("persona", ["social_worker_a", "iro_a"])
def test_council_roles_outside_the_hub_cannot_record_a_police_records_return(client, world, missing, persona):
    client.force_login(getattr(world, persona))
    url = reverse("episodes:record_return", args=[missing.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, return_data(missing)).status_code == 403
    missing.refresh_from_db()
    assert missing.state == "missing"


def test_a_spoc_of_another_force_cannot_change_this_forces_record(client, world):
    make_episode(child=world.c3, force="WMP", local_authority="Stockport")  # police_f2 sees Callum
    gmp = make_episode(child=world.c3, local_authority="Stockport")
    client.force_login(world.police_f2)
    assert client.get(gmp.get_absolute_url()).status_code == 200
    assert client.get(reverse("episodes:record_return", args=[gmp.pk])).status_code == 403
    assert client.get(reverse("episodes:reclassify", args=[gmp.pk])).status_code == 403


def test_two_returns_saved_from_the_same_screen_conflict_and_the_second_overwrites_nothing(client, world, missing):
    url = reverse("episodes:record_return", args=[missing.pk])
    client.force_login(world.police_f1)
    first = client.post(url, return_data(missing, returned_at=local(2), found_location="Home"))
    client.force_login(world.coordinator_a)
    second = client.post(url, return_data(missing, returned_at=local(1), found_location="Bus station"))

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.content.decode()
    assert "The episode changed while you were working on it" in page and "Nothing you entered was saved" in page
    assert "Where found" in page and "Home" in page
    missing.refresh_from_db()
    assert missing.found_location == "Home" and missing.returned_at == NOW - datetime.timedelta(hours=2)
    assert missing.history.count() == 2


# --- Reclassify -------------------------------------------------------------------------------


def test_reclassifying_keeps_from_to_who_and_why(client, world, missing):
    client.force_login(world.police_f1)
    response = client.post(
        reverse("episodes:reclassify", args=[missing.pk]),
        {"version": 1, "category": "absent", "risk_level": "low", "reason": "Known to be at a friend's"},
    )

    assert response.status_code == 302
    changes = {r.field: r for r in Reclassification.objects.filter(episode=missing)}
    assert (changes["category"].from_value, changes["category"].to_value) == ("missing", "absent")
    assert (changes["risk_level"].from_value, changes["risk_level"].to_value) == ("medium", "low")
    assert changes["category"].changed_by == world.police_f1
    assert changes["category"].reason == "Known to be at a friend's"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"category": "absent", "risk_level": "low", "reason": ""}, "reason", "This field is required"),
        ({"category": "missing", "risk_level": "medium", "reason": "No change"}, "category", "Choose a different"),
        ({"category": "away", "risk_level": "low", "reason": "Council record"}, "category", "Select a valid choice"),
    ],
)
def test_a_rejected_reclassification_writes_nothing(client, world, missing, data, field, message):
    client.force_login(world.coordinator_a)
    before = written()
    response = client.post(reverse("episodes:reclassify", args=[missing.pk]), {"version": 1, **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert written() == before


def test_two_reclassifications_from_the_same_version_conflict(client, world, missing):
    url = reverse("episodes:reclassify", args=[missing.pk])
    client.force_login(world.police_f1)
    client.post(url, {"version": 1, "category": "absent", "risk_level": "medium", "reason": "At a friend's"})
    client.force_login(world.coordinator_a)
    second = client.post(url, {"version": 1, "category": "missing", "risk_level": "high", "reason": "CSE concern"})

    assert second.status_code == 409
    page = second.content.decode()
    assert '<th scope="row" class="govuk-table__header">Category</th>' in page and "Absent" in page
    missing.refresh_from_db()
    assert (missing.category, missing.risk_level) == ("absent", "medium")
    assert Reclassification.objects.filter(episode=missing).count() == 1


def test_a_feed_update_while_a_coordinator_edits_is_a_conflict(client, world, missing):
    client.force_login(world.coordinator_a)
    form = client.get(reverse("episodes:reclassify", args=[missing.pk])).context["form"]
    make_episode(
        child=world.c1,
        force_reference=missing.force_reference,
        last_seen_at=local(6),
        reported_at=local(5),
        risk_level="high",
    )
    response = client.post(
        reverse("episodes:reclassify", args=[missing.pk]),
        {"version": form["version"].value(), "category": "absent", "risk_level": "low", "reason": "At a friend's"},
    )
    assert response.status_code == 409
    missing.refresh_from_db()
    assert (missing.category, missing.risk_level) == ("missing", "high")


# --- The safe-and-well check ------------------------------------------------------------------


@pytest.fixture
def returned(world, missing) -> Episode:
    return services.episode_record_return(
        episode=missing, by=world.police_f1, returned_at=NOW - datetime.timedelta(hours=2)
    )


def test_the_police_record_the_safe_and_well_check(client, world, returned):
    client.force_login(world.police_f1)
    response = client.post(
        reverse("episodes:safe_and_well", args=[returned.pk]),
        {"held": "yes", "held_at": local(1), "held_by": "PC Shah, GMP", "outcome": "Safe", "harm_disclosed": "no"},
    )

    assert response.status_code == 302
    check = returned.safe_and_well
    assert check.held_at == NOW - datetime.timedelta(hours=1) and check.held_by == "PC Shah, GMP"
    assert check.recorded_by == world.police_f1
    assert Deadline.objects.get(kind=SAFE_AND_WELL, subject_id=returned.pk).state == DeadlineState.MET


def test_a_coordinator_records_the_decision_not_to_hold_a_check(client, world, returned):
    client.force_login(world.coordinator_a)
    response = client.post(
        reverse("episodes:safe_and_well", args=[returned.pk]),
        {"held": "no", "not_held_reason": "Agreed with the carer: fourth episode this week"},
    )
    assert response.status_code == 302
    assert returned.safe_and_well.not_held_reason == "Agreed with the carer: fourth episode this week"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"held": "yes", "held_at": "", "outcome": "Safe"}, "held_at", "Enter when the check was held"),
        ({"held": "yes", "held_at": local(3), "outcome": "Safe"}, "held_at", "before the child returned"),
        ({"held": "yes", "held_at": local(-1), "outcome": "Safe"}, "held_at", "cannot be in the future"),
        ({"held": "yes", "held_at": local(1), "outcome": ""}, "outcome", "Enter the outcome"),
        ({"held": "no", "not_held_reason": ""}, "not_held_reason", "Say why"),
        ({}, "held", "This field is required"),
    ],
)
def test_a_rejected_safe_and_well_check_writes_nothing(client, world, returned, data, field, message):
    client.force_login(world.coordinator_a)
    before = written()
    response = client.post(reverse("episodes:safe_and_well", args=[returned.pk]), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert written() == before


def test_managers_and_social_workers_do_not_record_the_police_check(client, world, returned):
    for persona in (world.manager_a, world.social_worker_a):
        client.force_login(persona)
        assert client.get(reverse("episodes:safe_and_well", args=[returned.pk])).status_code == 403


def test_the_check_form_for_a_child_still_missing_goes_back_to_the_episode(client, world, missing):
    client.force_login(world.coordinator_a)
    response = client.get(reverse("episodes:safe_and_well", args=[missing.pk]))
    assert response.status_code == 302 and response["Location"] == missing.get_absolute_url()


# --- Close and reopen -------------------------------------------------------------------------


def test_a_coordinator_closes_a_returned_episode(client, world, returned):
    client.force_login(world.coordinator_a)
    response = client.post(
        reverse("episodes:close", args=[returned.pk]), {"version": returned.version, "reason": "Interview done"}
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == "closed" and returned.closed_reason == "Interview done"


def test_closing_an_episode_still_open_is_refused_and_writes_nothing(client, world, missing):
    client.force_login(world.coordinator_a)
    before = written()
    response = client.post(
        reverse("episodes:close", args=[missing.pk]), {"version": missing.version, "reason": ""}, follow=True
    )
    assert response.redirect_chain == [(missing.get_absolute_url(), 302)]
    assert "This episode is missing: there is nothing to do here." in response.content.decode()
    assert written() == before


@pytest.fixture
def closed(world, returned) -> Episode:
    return services.episode_close(episode=returned, by=world.coordinator_a)


def test_only_a_manager_reopens_and_says_why(client, world, closed):
    url = reverse("episodes:reopen", args=[closed.pk])
    client.force_login(world.coordinator_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": closed.version, "reason": "More to do"}).status_code == 403

    client.force_login(world.manager_a)
    before = written()
    response = client.post(url, {"version": closed.version, "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert written() == before

    response = client.post(url, {"version": closed.version, "reason": "New information from the police"})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.state == "returned"
    assert closed.history.first().history_change_reason == "Reopened: New information from the police"


def test_a_closed_episode_is_not_reclassified_even_by_a_hand_made_request(client, world, closed):
    client.force_login(world.coordinator_a)
    before = written()
    response = client.post(
        reverse("episodes:reclassify", args=[closed.pk]),
        {"version": closed.version, "category": "absent", "risk_level": "low", "reason": "Tidying up"},
    )
    assert response.status_code == 302 and response["Location"] == closed.get_absolute_url()
    assert written() == before


# --- Away from placement ----------------------------------------------------------------------


def test_a_social_worker_records_a_looked_after_child_away_from_placement(client, world):
    client.force_login(world.social_worker_a)
    url = reverse("episodes:create_away") + f"?child={world.c4.pk}"
    response = client.post(
        url, {"last_seen_at": local(5), "whereabouts": "At her aunt's in Salford", "circumstances": "Refused to return"}
    )

    episode = Episode.objects.get(child=world.c4)
    assert response.status_code == 302 and response["Location"] == episode.get_absolute_url()
    assert episode.category == "away" and episode.whereabouts_known and episode.force is None
    assert episode.last_seen_location == "At her aunt's in Salford"


def test_a_child_who_is_not_looked_after_cannot_be_away_from_placement(client, world):
    client.force_login(world.coordinator_a)
    before = written()
    response = client.post(
        reverse("episodes:create_away") + f"?child={world.c1.pk}",
        {"last_seen_at": local(5), "whereabouts": "At a friend's"},
    )
    assert response.status_code == 200
    assert "Only a looked-after child can be recorded as away from placement" in response.content.decode()
    assert written() == before


def test_a_rejected_away_record_writes_nothing(client, world):
    client.force_login(world.coordinator_a)
    before = written()
    response = client.post(
        reverse("episodes:create_away") + f"?child={world.c4.pk}",
        {"last_seen_at": local(-1), "whereabouts": ""},
    )
    errors = response.context["form"].errors
    assert "This field is required" in errors["whereabouts"][0]
    assert written() == before
    response = client.post(
        reverse("episodes:create_away") + f"?child={world.c4.pk}",
        {"last_seen_at": local(-1), "whereabouts": "Aunt's"},
    )
    assert "The time last seen is in the future." in response.context["form"].errors["last_seen_at"]
    assert written() == before


def test_away_from_placement_needs_a_child_in_scope_and_a_council_role(client, world):
    client.force_login(world.coordinator_a)
    assert client.get(reverse("episodes:create_away")).status_code == 404
    client.force_login(world.coordinator_b)
    assert client.get(reverse("episodes:create_away") + f"?child={world.c1.pk}").status_code == 404
    client.force_login(world.iro_a)
    assert client.get(reverse("episodes:create_away") + f"?child={world.c4.pk}").status_code == 403
