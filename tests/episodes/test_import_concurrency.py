"""Imports running at the same time, on PostgreSQL: two overlapping feed files imported in
parallel end exactly as one after the other would, and a feed update racing a hand save leaves
the stale save refused with what changed (issue 3: 'nothing is overwritten silently').

Each thread has its own database connection and closes it when done.
"""

import csv
import datetime
import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from children.models import Child
from deadlines.models import Deadline
from episodes import imports, services
from episodes.feed import COLUMNS, Lookups, parse_report
from episodes.imports import import_feed
from episodes.models import Episode, HeldReport, Reclassification, SafeAndWellCheck, Source
from episodes.services import EpisodeConflict, IntakeSource, intake_reports
from tests.factories import build_world, report_row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def local(delta: datetime.timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def records(count: int) -> list[dict[str, str]]:
    """`count` police records about `count` different children (each its own date of birth, so
    no two can be taken for the same child); every third child is back with a safe-and-well
    check, and every tenth pair went missing together."""
    rows = []
    for n in range(count):
        row = report_row(
            force_reference=f"MP/26/{n:06d}",
            date_of_birth=(timezone.localdate() - datetime.timedelta(days=13 * 365 + n)).isoformat(),
            last_seen_at=local(datetime.timedelta(hours=-30, minutes=-n)),
            reported_at=local(datetime.timedelta(hours=-29, minutes=-n)),
            risk_level=("high", "medium", "low")[n % 3],
        )
        if n % 3 == 0:
            row.update(
                returned_at=local(datetime.timedelta(hours=-5)),
                return_method="police",
                safe_and_well_at=local(datetime.timedelta(hours=-2)),
                safe_and_well_outcome="Seen at home, no concerns",
                harm_disclosed="no",
            )
        rows.append(row)
    for n in range(0, count - 1, 20):
        rows[n]["went_missing_with"] = rows[n + 1]["force_reference"]
        rows[n + 1]["went_missing_with"] = rows[n]["force_reference"]
    return rows


def feed(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def in_parallel(*jobs):
    """Run each job in its own thread, started together; returns their results in order, and
    re-raises the first exception any of them raised."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    failures: list = []

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as error:  # handed back to the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an import never finished (a lock never released?)"
    if failures:
        raise failures[0]
    return results


def importer(data: bytes, label: str):
    return lambda: import_feed(io.BytesIO(data), source=IntakeSource(Source.FEED, label))


def state() -> dict:
    """What the case tables hold, independent of primary keys and of which import wrote first."""
    episodes = Episode.objects.select_related("child", "force").prefetch_related("linked")
    return {
        "episodes": sorted(
            (
                e.force.code,
                e.force_reference,
                e.child.given_name,
                e.child.family_name,
                e.child.date_of_birth,
                e.category,
                e.risk_level,
                e.state,
                e.version,
                tuple(sorted(other.force_reference for other in e.linked.all())),
            )
            for e in episodes
        ),
        "children": Child.objects.count(),
        "episode history rows": Episode.history.count(),
        "child history rows": Child.history.count(),
        "safe-and-well checks": SafeAndWellCheck.objects.count(),
        "deadlines": sorted(Deadline.objects.values_list("state", flat=True)),
        "reclassifications": Reclassification.objects.count(),
        "held": HeldReport.objects.count(),
    }


@pytest.fixture
def small_batches(monkeypatch):
    """Many batches per file, so the two imports interleave batch by batch."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 25)


def serial_state(first: bytes, second: bytes) -> dict:
    import_feed(io.BytesIO(first), source=IntakeSource(Source.FEED, "first"))
    import_feed(io.BytesIO(second), source=IntakeSource(Source.FEED, "second"))
    return state()


def test_two_overlapping_files_imported_at_once_end_as_one_after_the_other(world, small_batches):
    rows = records(300)
    first, second = feed(rows[:200]), feed(rows[100:])

    one, two = in_parallel(importer(first, "first.csv"), importer(second, "second.csv"))

    assert not one.errors and not two.errors and not one.refusal and not two.refusal
    assert one.created + two.created == 300
    assert one.unchanged + two.unchanged == 100  # the overlap, applied once by whichever came second
    assert one.updated == two.updated == one.held == two.held == 0
    keys = list(Episode.objects.values_list("force_id", "force_reference"))
    assert len(keys) == len(set(keys)) == 300
    parallel = state()
    assert parallel["children"] == 300 + 3  # each record's own child, and the world's three
    assert parallel["episode history rows"] == 300  # each episode created once, never rewritten

    call_command("flush", interactive=False, verbosity=0)
    build_world()
    assert serial_state(first, second) == parallel


def test_two_files_listing_the_overlap_in_opposite_orders_do_not_deadlock(world, small_batches):
    """Two extracts need not list records in the same order: locks are still taken without a
    deadlock surfacing as an error, and every record is there once."""
    rows = records(200)
    first, second = feed(rows[:150]), feed(list(reversed(rows[50:])))

    one, two = in_parallel(importer(first, "first.csv"), importer(second, "second.csv"))

    assert not one.errors and not two.errors
    assert one.created + two.created == 200
    assert one.unchanged + two.unchanged == 100
    keys = list(Episode.objects.values_list("force_id", "force_reference"))
    assert len(keys) == len(set(keys)) == 200
    assert Child.objects.count() == 200 + 3


def test_the_same_file_imported_twice_at_once_creates_each_record_once(world, small_batches):
    data = feed(records(150))

    one, two = in_parallel(importer(data, "copy 1"), importer(data, "copy 2"))

    assert one.created + two.created == 150
    assert one.unchanged + two.unchanged == 150
    assert Episode.objects.count() == 150 and Episode.history.count() == 150
    assert Child.objects.count() == 150 + 3
    assert SafeAndWellCheck.objects.count() == 50


def test_two_new_records_about_one_new_child_imported_at_once_make_one_child(world):
    """Two forces' (or two files') records about the same child nobody knew yet, arriving at
    the same moment: a serial import links the second to the child the first created, so the
    parallel one must too."""
    child = {"given_name": "Maisie", "family_name": "Threlfall", "date_of_birth": "2012-04-03"}
    first = feed([report_row(force_reference="MP/26/000001", **child)])
    second = feed([report_row(force_reference="MP/26/000002", **child)])

    in_parallel(importer(first, "first.csv"), importer(second, "second.csv"))

    assert Episode.objects.count() == 2
    assert Child.objects.filter(family_name="Threlfall").count() == 1
    assert not HeldReport.objects.exists()


# --- A feed update racing a hand save ----------------------------------------------------------


def police_report(row):
    report, errors = parse_report(row, line=2, lookups=Lookups())
    assert not errors, errors
    return report


def test_a_hand_reclassification_from_a_screen_older_than_a_feed_update_is_refused(world):
    row = report_row(risk_level="medium")
    (created,) = intake_reports(reports=[police_report(row)], source=IntakeSource(Source.FEED, "morning.csv"))
    episode = created.episode
    screen_version = episode.version  # the coordinator opens the reclassify form

    intake_reports(reports=[police_report({**row, "risk_level": "high"})], source=IntakeSource(Source.FEED, "noon.csv"))

    with pytest.raises(EpisodeConflict) as conflict:
        services.episode_reclassify(
            episode=episode,
            by=world.coordinator_a,
            category="absent",
            risk_level="low",
            reason="Seen by carer, no longer a concern",
            expected_version=screen_version,
        )
    assert ("Risk grade", "Medium", "High") in conflict.value.changes
    episode.refresh_from_db()
    assert (episode.category, episode.risk_level) == ("missing", "high")
    assert list(Reclassification.objects.values_list("from_value", "to_value")) == [("medium", "high")]


def test_a_hand_save_waits_for_a_feed_update_in_flight_and_is_then_refused(world):
    """The hand save reads the version only once it holds the row: while the feed's transaction
    is open it waits, then finds the version moved on and refuses, saving nothing."""
    row = report_row(risk_level="medium")
    (created,) = intake_reports(reports=[police_report(row)], source=IntakeSource(Source.FEED, "morning.csv"))
    episode, screen_version = created.episode, created.episode.version
    feed_applied, release = threading.Event(), threading.Event()
    hand_save_finished = threading.Event()

    def feed_update():
        with transaction.atomic():
            intake_reports(
                reports=[police_report({**row, "risk_level": "high"})], source=IntakeSource(Source.FEED, "noon.csv")
            )
            feed_applied.set()
            release.wait(timeout=30)

    def hand_save():
        feed_applied.wait(timeout=30)
        try:
            return services.episode_reclassify(
                episode=episode,
                by=world.coordinator_a,
                category="missing",
                risk_level="low",
                reason="Carer says she is with her aunt",
                expected_version=screen_version,
            )
        except EpisodeConflict as conflict:
            return conflict
        finally:
            hand_save_finished.set()

    def let_the_feed_commit():
        feed_applied.wait(timeout=30)
        time.sleep(0.5)
        waited = not hand_save_finished.is_set()
        release.set()
        return waited

    _, outcome, hand_save_waited = in_parallel(feed_update, hand_save, let_the_feed_commit)

    assert hand_save_waited, "the hand save must wait for the feed's transaction, not read around it"
    assert isinstance(outcome, EpisodeConflict)
    assert ("Risk grade", "Medium", "High") in outcome.changes
    episode.refresh_from_db()
    assert episode.risk_level == "high" and episode.version == screen_version + 1


def test_a_feed_update_and_a_hand_save_from_the_same_version_at_once_one_wins(world):
    """An API client and a coordinator both start from the same version: whichever saves
    first wins, the other gets the conflict; never both, never neither."""
    row = report_row(risk_level="medium")
    (created,) = intake_reports(reports=[police_report(row)], source=IntakeSource(Source.FEED, "morning.csv"))
    episode, version = created.episode, created.episode.version

    def feed_update():
        try:
            return intake_reports(
                reports=[police_report({**row, "risk_level": "high"})],
                source=IntakeSource(Source.API, "API"),
                expected_version=version,
            )
        except EpisodeConflict as conflict:
            return conflict

    def hand_save():
        try:
            return services.episode_reclassify(
                episode=episode,
                by=world.coordinator_a,
                category="missing",
                risk_level="low",
                reason="Carer says she is with her aunt",
                expected_version=version,
            )
        except EpisodeConflict as conflict:
            return conflict

    outcomes = in_parallel(feed_update, hand_save)

    assert sum(isinstance(o, EpisodeConflict) for o in outcomes) == 1
    episode.refresh_from_db()
    assert episode.version == version + 1
    assert episode.risk_level == ("high" if isinstance(outcomes[1], EpisodeConflict) else "low")
    assert Reclassification.objects.count() == 1
