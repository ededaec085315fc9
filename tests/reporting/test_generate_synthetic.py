"""`generate_synthetic` writes a synthetic history at scale in SQL: shaped like the councils'
figures, consistent with the schema and the product's pages, reproducible, and never into a
database that does not say it is for benchmarks."""

import collections
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse

from children.models import LOOKED_AFTER, Child
from deadlines.models import Deadline, DeadlineState
from episodes.models import Category, Episode, EpisodeState
from interviews.models import OPEN_STATUSES, ReturnInterview
from interviews.services import INTERVIEW_DUE
from reporting import synthetic
from risk.models import Escalation

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
AUTHORITIES = ["E08000003", "E08000007"]  # the world's LA-A (Manchester) and LA-B (Stockport)


def generate(**options) -> synthetic.Summary:
    options = {"children": 300, "years": 2, "authorities": AUTHORITIES, "seed": 1, "now": NOW} | options
    return synthetic.generate(**options)


def test_a_database_not_named_for_benchmarks_is_refused_unless_the_flag_is_given():
    assert "neither 'bench' nor 'synthetic'" in synthetic.refusal(vendor="postgresql", name="homeward", not_live=False)
    assert synthetic.refusal(vendor="postgresql", name="homeward_synthbench", not_live=False) is None
    assert synthetic.refusal(vendor="postgresql", name="homeward_synthetic", not_live=False) is None
    assert synthetic.refusal(vendor="postgresql", name="homeward", not_live=True) is None


def test_sqlite_is_refused_with_a_clear_message():
    assert "PostgreSQL only" in synthetic.refusal(vendor="sqlite", name="var/bench.sqlite3", not_live=True)


@pytest.mark.postgres
def test_the_command_refuses_the_test_database_by_its_name_and_writes_nothing():
    assert "bench" not in connection.settings_dict["NAME"] and "synthetic" not in connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match="does not look like a benchmark database"):
        call_command("generate_synthetic", children=10, years=1)
    assert not Child.objects.exists() and not Episode.objects.exists()


@pytest.mark.postgres
def test_the_command_prints_a_summary(capsys):
    call_command("generate_synthetic", children=50, years=1, authorities="E08000003", i_know_this_is_not_live=True)
    output = capsys.readouterr().out
    for line in ("Children: 50", "Episodes:", "Return interviews:", "Deadlines:", "open)", "Escalations:", "Seconds:"):
        assert line in output
    assert set(Child.objects.values_list("responsible_authority__ons_code", flat=True)) == {"E08000003"}


@pytest.mark.postgres
def test_the_command_ends_the_history_at_now_when_given():
    call_command(
        "generate_synthetic",
        children=20,
        years=1,
        authorities="E08000003",
        now="2025-06-01T12:00+00:00",
        i_know_this_is_not_live=True,
    )
    end = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)
    assert not Episode.objects.filter(last_seen_at__gt=end).exists()
    assert not Episode.objects.filter(last_seen_at__lt=end - datetime.timedelta(days=366)).exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "options, message",
    [
        ({"children": 0, "years": 1}, "--children of at least 1"),
        ({"children": 5, "years": 0}, "--years from 1 to 30"),
        ({"children": 5, "years": 1, "now": "2026-12-01T12:00"}, "offset from UTC"),
        ({"children": 5, "years": 1, "now": "yesterday"}, "offset from UTC"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_synthetic", i_know_this_is_not_live=True, **options)
    assert not Child.objects.exists() and not Episode.objects.exists()


@pytest.mark.postgres
def test_an_unknown_authority_is_refused():
    with pytest.raises(CommandError, match="E99999999"):
        call_command("generate_synthetic", children=5, years=1, authorities="E99999999", i_know_this_is_not_live=True)


@pytest.mark.postgres
def test_a_small_history_is_shaped_like_the_councils_figures():
    summary = generate()
    children = Child.objects.all()
    assert summary.children == children.count() == 300
    assert 0.08 <= children.filter(legal_status__in=LOOKED_AFTER).count() / 300 <= 0.16
    looked_after = children.filter(legal_status__in=LOOKED_AFTER)
    assert not looked_after.filter(establishment=None).exists() and not looked_after.filter(placement_type="").exists()
    # One history row each: the SSDA903 return reads looked-after spells from it.
    assert Child.history.count() == 300

    episodes = Episode.objects.all()
    assert summary.episodes == episodes.count()
    per_child = collections.Counter(episodes.values_list("child_id", flat=True))
    assert sum(1 for n in per_child.values() if n == 1) > 0.5 * 300
    assert max(per_child.values()) >= 100

    hours = [e.duration_hours for e in episodes.exclude(returned_at=None).only("last_seen_at", "returned_at")]
    share = lambda low, high: sum(1 for h in hours if low <= h < high) / len(hours)  # noqa: E731
    for (target, low, high), tolerance in zip(
        synthetic.DURATION_BANDS, [0.03, 0.03, 0.03, 0.03, 0.03, 0.015], strict=True
    ):
        assert abs(share(low if low > 1 else 0, high if high < 720 else 10**6) - target / 0.985) <= tolerance

    # Categories: away only for looked-after children; a police episode has a force reference.
    assert not episodes.filter(category=Category.AWAY).exclude(child__legal_status__in=LOOKED_AFTER).exists()
    assert episodes.filter(category=Category.ABSENT).exists() and episodes.filter(category=Category.AWAY).exists()
    assert not episodes.exclude(category=Category.AWAY).filter(force=None).exists()
    # States agree with the return; the ones still missing are recent.
    assert not episodes.filter(returned_at=None).exclude(state=EpisodeState.MISSING).exists()
    assert not episodes.exclude(returned_at=None).filter(state=EpisodeState.MISSING).exists()
    assert not episodes.filter(returned_at=None, last_seen_at__lt=NOW - datetime.timedelta(days=31)).exists()
    assert not episodes.filter(last_seen_at__gt=NOW).exists()
    assert not episodes.filter(last_seen_at__lt=NOW - datetime.timedelta(days=2 * 366)).exists()
    assert all(len(p) <= 8 and p[-4] == " " for p in episodes.values_list("missing_from_postcode", flat=True))


@pytest.mark.postgres
def test_every_returned_missing_episode_has_an_interview_due_72_hours_after_with_its_clock():
    generate()
    returned = Episode.objects.filter(category=Category.MISSING).exclude(returned_at=None)
    interviews = ReturnInterview.objects.prefetch_related("episodes")
    assert interviews.count() == returned.count()
    assert not interviews.exclude(local_authority=F("child__responsible_authority")).exists()
    for interview in interviews:
        assert interview.due_at == interview.returned_at + datetime.timedelta(hours=72)
        assert [e.returned_at for e in interview.episodes.all()] == [interview.returned_at]
    statuses = collections.Counter(interviews.values_list("status", flat=True))
    assert statuses["completed"] > 0.6 * interviews.count() and statuses["declined"] > 0
    completed = interviews.filter(status="completed")
    assert sum(1 for i in completed if i.within_72_hours) > 0.75 * completed.count()
    # Each interview has its 72-hour clock, open exactly while the interview is open and not due.
    clocks = {d.subject_id: d for d in Deadline.objects.filter(kind=INTERVIEW_DUE)}
    for interview in interviews:
        clock = clocks[interview.pk]
        assert clock.due_at == interview.due_at
        assert (clock.state == DeadlineState.OPEN) == (interview.is_open and interview.due_at > NOW)
    open_interviews = interviews.filter(status__in=OPEN_STATUSES)
    assert open_interviews.exists()
    assert Escalation.objects.exists()


@pytest.mark.postgres
def test_the_same_seed_gives_the_same_history():
    def snapshot(first_child: int, first_episode: int):
        children = list(
            Child.objects.filter(pk__gte=first_child)
            .order_by("pk")
            .values_list("given_name", "family_name", "date_of_birth", "legal_status", "postcode")
        )
        episodes = list(
            Episode.objects.filter(pk__gte=first_episode)
            .order_by("pk")
            .values_list("category", "risk_level", "last_seen_at", "returned_at", "missing_from_postcode")
        )
        return children, episodes

    generate(children=80, seed=5)
    first = snapshot(1, 1)
    child_after, episode_after = Child.objects.order_by("-pk")[0].pk + 1, Episode.objects.order_by("-pk")[0].pk + 1
    generate(children=80, seed=5)
    assert snapshot(child_after, episode_after) == first
    generate(children=80, seed=6)
    assert snapshot(child_after + 80, episode_after + len(first[1]))[1] != first[1]


@pytest.mark.postgres
def test_a_coordinators_pages_render_on_synthetic_data(client, world):
    generate(children=120)
    client.force_login(world.coordinator_a)
    episode = (
        Episode.objects.filter(local_authority=world.la_a, child__family_name__gt="").exclude(returned_at=None).first()
    )
    interview = ReturnInterview.objects.filter(local_authority=world.la_a).first()
    escalation = Escalation.objects.filter(local_authority=world.la_a).first()
    pages = [
        reverse("home"),
        reverse("children:list"),
        reverse("children:detail", args=[episode.child_id]),
        reverse("episodes:list"),
        reverse("episodes:detail", args=[episode.pk]),
        reverse("interviews:list"),
        reverse("interviews:detail", args=[interview.pk]),
        reverse("risk:escalation_list"),
        reverse("risk:escalation_detail", args=[escalation.pk]),
        reverse("weekly_meeting_list"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
