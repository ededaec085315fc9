"""The set-based intake of files on PostgreSQL (episodes.intake_bulk) and the model-by-model one
(services.intake_reports, the portable twin) leave exactly the same records behind: the same
episodes, children, history (who, change reason), reclassifications, checks, clocks, links and
held records, for new records, matches, holds, companions, updates and unchanged rows."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from children.models import Child
from deadlines.models import Deadline
from episodes import imports
from episodes.imports import import_feed
from episodes.models import Episode, HeldReport
from episodes.services import IntakeSource
from missing import bulk
from tests.episodes.test_upload import csv_bytes
from tests.factories import report_row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def local(hours_ago: float) -> str:
    return timezone.localtime(timezone.now() - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def feeds(world) -> tuple[bytes, bytes]:
    known = world.c1
    first = [
        report_row(
            force_reference="T-1",
            given_name="Amira",
            family_name="Khan",
            date_of_birth="2012-04-03",
            went_missing_with="T-2",
            last_seen_at=local(30),
            reported_at=local(29),
        ),
        report_row(
            force_reference="T-2",
            given_name="Leah",
            family_name="Moss",
            date_of_birth="2011-06-09",
            went_missing_with="T-1",
            last_seen_at=local(30),
            reported_at=local(29),
            returned_at=local(5),
            safe_and_well_at=local(4),
            safe_and_well_outcome="Seen at home",
            harm_disclosed="no",
            officer="PC Shaw",
        ),
        report_row(
            force_reference="T-3",
            given_name=known.given_name,
            family_name=known.family_name,
            date_of_birth=known.date_of_birth.isoformat(),
            local_authority=known.responsible_authority.name,
            last_seen_at=local(10),
            reported_at=local(9),
        ),
        # Misspelt: held beside the known child.
        report_row(
            force_reference="T-4",
            given_name=known.given_name + "e",
            family_name=known.family_name,
            date_of_birth=known.date_of_birth.isoformat(),
            local_authority=known.responsible_authority.name,
            last_seen_at=local(8),
            reported_at=local(7),
        ),
        # A second record about the child T-1 creates: linked to that child.
        report_row(
            force_reference="T-5",
            given_name="Amira",
            family_name="Khan",
            date_of_birth="2012-04-03",
            last_seen_at=local(3),
            reported_at=local(2),
        ),
        report_row(
            force_reference="T-6",
            given_name="Noor",
            family_name="Ali",
            date_of_birth="2010-01-02",
            last_seen_at=local(20),
            reported_at=local(19),
            returned_at=local(6),
        ),
    ]
    second = [
        {**first[0], "risk_level": "high", "category": "missing"},
        first[1],
        {**first[2], "returned_at": local(1), "found_location": "Bus station", "return_method": "police"},
        {**first[5], "safe_and_well_at": local(1), "safe_and_well_outcome": "Spoke to Noor", "harm_disclosed": "yes"},
        report_row(
            force_reference="T-7",
            given_name="Sam",
            family_name="Reid",
            date_of_birth="2013-02-02",
            went_missing_with="T-5",
            last_seen_at=local(2),
            reported_at=local(1),
        ),
    ]
    return csv_bytes(first), csv_bytes(second)


def clocks(subject) -> list:
    return [
        (d.kind, d.state, d.due_at, [h.history_change_reason for h in d.history.order_by("history_id")])
        for d in Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        ).order_by("kind")
    ]


def snapshot() -> dict:
    episodes = {}
    for episode in Episode.objects.filter(force_reference__startswith="T-").select_related("child"):
        check = getattr(episode, "safe_and_well", None)
        episodes[episode.force_reference] = {
            "record": tuple(
                getattr(episode, f)
                for f in (
                    "category",
                    "risk_level",
                    "state",
                    "version",
                    "returned_at",
                    "found_location",
                    "went_missing_with",
                    "source",
                    "whereabouts_known",
                )
            ),
            "child": (
                episode.child.given_name,
                episode.child.family_name,
                episode.child.date_of_birth,
                episode.child.name_key,
                episode.child.gender,
            ),
            "child_history": [(h.history_type, h.history_change_reason) for h in episode.child.history.all()],
            "history": [
                (h.history_type, h.history_change_reason, h.history_user_id, h.state, h.risk_level)
                for h in episode.history.order_by("history_id")
            ],
            "reclassifications": [
                (r.field, r.from_value, r.to_value, r.source, r.reason) for r in episode.reclassifications.all()
            ],
            "check": check
            and (
                check.held_at,
                check.held_by,
                check.outcome,
                check.harm_disclosed,
                [(h.history_type, h.history_change_reason) for h in check.history.order_by("history_id")],
            ),
            "clocks": clocks(episode),
            "interviews": [
                (
                    i.status,
                    i.returned_at,
                    i.due_at,
                    i.triage,
                    i.triage_reasons,
                    sorted(e.force_reference for e in i.episodes.all()),
                    [(h.history_type, h.history_change_reason, h.status) for h in i.history.order_by("history_id")],
                    clocks(i),
                )
                for i in episode.return_interviews.all()
            ],
            "linked": sorted(e.force_reference for e in episode.linked.all()),
        }
    held = sorted(
        (
            h.force_reference,
            h.decision,
            h.source_label,
            sorted(c.child.name_key for c in h.match_candidates.all()),
            [(x.history_type, x.history_change_reason) for x in h.history.all()],
        )
        for h in HeldReport.objects.all()
    )
    return {"episodes": episodes, "held": held, "children": Child.objects.count()}


def run(world, monkeypatch, *, set_based: bool) -> tuple[dict, list[str]]:
    monkeypatch.setattr(bulk, "available", lambda: set_based)
    first, second = feeds(world)
    source = IntakeSource("feed", "Police feed file twins.csv", world.police_f1)
    summaries = []
    with transaction.atomic():
        for content in (first, second, second):
            summaries.append(import_feed(io.BytesIO(content), source=source).summary())
        state = snapshot()
        transaction.set_rollback(True)
    return state, summaries


def test_files_leave_the_same_records_through_either_intake(world, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 3)  # several batches, a companion in a later one
    set_based, set_based_summaries = run(world, monkeypatch, set_based=True)
    one_by_one, one_by_one_summaries = run(world, monkeypatch, set_based=False)

    assert (
        set_based_summaries
        == one_by_one_summaries
        == [
            "created 5, updated 0, unchanged 0, rejected 0, held for matching 1",
            "created 1, updated 3, unchanged 1, rejected 0, held for matching 0",
            "created 0, updated 0, unchanged 5, rejected 0, held for matching 0",
        ]
    )
    assert set_based == one_by_one
    assert set_based["episodes"]["T-1"]["linked"] == ["T-2"]
    assert set_based["episodes"]["T-7"]["linked"] == ["T-5"]
    assert set_based["episodes"]["T-5"]["child"] == set_based["episodes"]["T-1"]["child"]
    assert [r[:3] for r in set_based["episodes"]["T-1"]["reclassifications"]] == [("risk_level", "medium", "high")]
    assert [c[:2] for c in set_based["episodes"]["T-6"]["clocks"]] == [("episodes.safe_and_well_check", "met")]
    # Returns open return interviews through either path, with their clocks and history.
    (interview,) = set_based["episodes"]["T-2"]["interviews"]
    assert interview[0] == "awaiting_allocation" and interview[5] == ["T-2"]
    assert [c[:2] for c in interview[7]] == [
        ("interviews.return_interview_48h_reminder", "open"),
        ("interviews.return_interview_72h", "open"),
    ]
    # The known child returned in the second file; re-importing it opened no second interview.
    (returned_later,) = set_based["episodes"]["T-3"]["interviews"]
    assert returned_later[5] == ["T-3"] and [h[0] for h in returned_later[6]] == ["+"]
