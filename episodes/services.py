"""Changes to episodes. Every write goes through here, from the feed, the upload job, the API,
the forms and the commands.

The intake takes police reports (already read by episodes.feed) a batch at a time: it reads the
batch's existing records and candidate children in a few queries, then writes only what changed,
with history, reclassifications and clocks, in one transaction per batch.
"""

import dataclasses
import datetime
import enum
import logging
import secrets
import uuid
from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from children.models import Child, Gender
from children.services import children_create_bulk
from deadlines.services import enqueue
from organisations.roles import Role

from . import matching, permissions, rules
from .deadlines import safe_and_well_clock, sync_safe_and_well_deadline, sync_safe_and_well_deadlines
from .feed import PoliceReport, RowError
from .models import (
    ApiKey,
    Category,
    Episode,
    EpisodeState,
    HeldReport,
    ImportJob,
    ImportRejection,
    MatchCandidate,
    Reclassification,
    SafeAndWellCheck,
    Source,
    hash_api_key,
)
from .signals import announce

logger = logging.getLogger(__name__)

# The police record's own fields on an episode, as the feed names them; the intake compares
# these to decide created / updated / unchanged.
POLICE_FIELDS = [
    "local_authority",
    "reported_at",
    "category",
    "risk_level",
    "last_seen_at",
    "last_seen_location",
    "missing_from",
    "missing_from_postcode",
    "reported_by",
    "circumstances",
    "cse_concern",
    "returned_at",
    "found_location",
    "found_postcode",
    "return_method",
    "officer",
    "went_missing_with",
]
SAFE_AND_WELL_FIELDS = {
    "safe_and_well_at": "held_at",
    "safe_and_well_outcome": "outcome",
    "harm_disclosed": "harm_disclosed",
}
INTAKE_RETRIES = 3
# The first key of the intake's PostgreSQL advisory locks (the second is a local authority's id).
INTAKE_LOCK_NAMESPACE = 3001


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    HELD = "held for matching"


@dataclasses.dataclass(frozen=True)
class IntakeSource:
    """Where reports came from: named in every history row and reclassification they cause."""

    kind: str
    label: str
    user: object = None

    def reason(self, line: int | None = None) -> str:
        return f"{self.label}, line {line}" if line else self.label


@dataclasses.dataclass
class IntakeOutcome:
    report: PoliceReport
    outcome: Outcome
    episode: Episode | None = None
    held: HeldReport | None = None


class EpisodeConflict(Exception):
    """The episode changed since the screen (or API client) read it: nothing was saved."""

    def __init__(self, episode: Episode, changes: list[tuple[str, str, str]]):
        self.episode = episode
        self.changes = changes
        super().__init__(f"Episode {episode.pk} changed since version you started from")


# --- The intake: one service behind the feed file, the upload, the API and the form ----------


def intake_reports(
    *,
    reports: Sequence[PoliceReport],
    source: IntakeSource,
    now: datetime.datetime | None = None,
    child: Child | None = None,
    expected_version: int | None = None,
) -> list[IntakeOutcome]:
    """Apply police reports (the latest state of each record), a transaction per batch.

    1. Split the reports so that no batch names the same record twice (a later row wins).
    2. In one transaction per batch, lock the batch's existing episodes and held records.
    3. Update what changed (history, reclassifications, clocks), leave the rest untouched.
    4. Match new records to children: link when certain, hold when only likely, else create
       the child. `child` skips matching (a person chose the child, or confirmed a match).
    5. Link children who went missing together, in whichever order their records came.
    A batch that loses a race with a parallel import for the same new record is retried: the
    record then exists, so the retry updates it.
    """
    now = now or timezone.now()
    outcomes = []
    for batch in _unique_batches(reports):
        for attempt in range(INTAKE_RETRIES):
            try:
                with transaction.atomic():
                    outcomes.extend(_intake_batch(batch, source, now, child, expected_version))
                break
            except IntegrityError:
                if attempt == INTAKE_RETRIES - 1:
                    raise
                logger.info("Intake batch raced a parallel import; retrying")
    return outcomes


def _unique_batches(reports: Sequence[PoliceReport]) -> Iterable[list[PoliceReport]]:
    batch, keys = [], set()
    for report in reports:
        if report.key in keys:
            yield batch
            batch, keys = [], set()
        batch.append(report)
        keys.add(report.key)
    if batch:
        yield batch


def _records_query(reports: Iterable[PoliceReport]) -> Q:
    by_force: dict[int, list[str]] = {}
    for report in reports:
        by_force.setdefault(report.force.pk, []).append(report.force_reference)
    return reduce(or_, (Q(force_id=f, force_reference__in=refs) for f, refs in by_force.items()), Q(pk__in=[]))


def _take_turns_by_authority(batch: list[PoliceReport]) -> None:
    """Two imports matching or creating children in one local authority at the same moment would
    each miss the child the other is creating (two children where a serial import makes one).
    On PostgreSQL they take turns per authority: advisory locks, taken in order (no deadlock) and
    released at commit. SQLite's IMMEDIATE transactions already take turns."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for authority_id in sorted({report.local_authority.pk for report in batch}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INTAKE_LOCK_NAMESPACE, authority_id])


def _intake_batch(batch, source, now, chosen_child, expected_version) -> list[IntakeOutcome]:
    _take_turns_by_authority(batch)
    query = _records_query(batch)
    existing = {
        (e.force_id, e.force_reference): e
        for e in Episode.objects.select_for_update(of=("self",))
        .filter(query)
        .select_related("safe_and_well", "force", "local_authority")
    }
    waiting = {
        (h.force_id, h.force_reference): h
        for h in HeldReport.objects.select_for_update().filter(query, decision=HeldReport.Decision.WAITING)
    }
    results: dict[int, IntakeOutcome] = {}
    to_update, new_reports = [], []
    for report in batch:
        episode = existing.get(report.key)
        if episode is not None:
            if expected_version is not None and episode.version != expected_version:
                raise EpisodeConflict(episode, changes_since(episode, expected_version))
            changed = _apply_report(episode, report, source, now)
            if changed:
                to_update.append(episode)
            results[report.line] = IntakeOutcome(report, Outcome.UPDATED if changed else Outcome.UNCHANGED, episode)
        else:
            new_reports.append(report)

    index, known = None, {}
    if chosen_child is None and new_reports:
        children = Child.objects.filter(matching.candidate_query(new_reports)).prefetch_related("aliases")
        known = {child.pk: child for child in children}
        index = matching.CandidateIndex(matching.Candidate.of(child) for child in known.values())

    to_create, children_to_create = [], []
    for report in new_reports:
        match = matching.match(report, index.for_report(report)) if index is not None else None
        if chosen_child is not None or (match and match.certain):
            child = chosen_child or known[match.child.pk]
        elif match and match.held:
            held = _hold(report, match, source, now, waiting.get(report.key))
            results[report.line] = IntakeOutcome(report, Outcome.HELD, held=held)
            continue
        else:
            # Created now, so that a later record of the batch about the same child is matched
            # to it (linked, or held beside it) as it would be in a later batch.
            child = _child_from_report(report)
            children_create_bulk(children=[child], by=source.user, reason=source.reason())
            children_to_create.append(child)
            known[child.pk] = child
            index.add(matching.Candidate.new(child.pk, report))
        episode = _episode_from_report(report, child, source)
        to_create.append(episode)
        results[report.line] = IntakeOutcome(report, Outcome.CREATED, episode)

    for episode in to_create:
        episode.child_id = episode.child.pk
    if to_create:
        bulk_create_with_history(to_create, Episode, default_user=source.user, default_change_reason=source.reason())
    if to_update:
        bulk_update_with_history(
            to_update,
            Episode,
            fields=[*POLICE_FIELDS, "state", "version", "updated_at"],
            default_user=source.user,
            default_change_reason=source.reason(),
        )
    _after_reports([o for o in results.values() if o.outcome in (Outcome.CREATED, Outcome.UPDATED)], source, now)
    for outcome in results.values():
        held = waiting.get(outcome.report.key)
        if outcome.outcome == Outcome.CREATED and held is not None and chosen_child is None:
            # A record that was waiting now matches with certainty (the child's record was corrected).
            new_child = outcome.episode.child in children_to_create
            decision = HeldReport.Decision.NEW_CHILD if new_child else HeldReport.Decision.LINKED
            _decide(held, decision, outcome.episode, source.user, now, source.reason(outcome.report.line))
    written = [o.episode for o in results.values() if o.outcome in (Outcome.CREATED, Outcome.UPDATED)]
    _link_companions(written)
    announce([e.pk for e in written], now=now)
    return [results[report.line] for report in batch]


def _police_values(report: PoliceReport) -> dict:
    values = {name: getattr(report, name) for name in POLICE_FIELDS}
    values["went_missing_with"] = ";".join(report.went_missing_with)
    return values


def _apply_report(episode: Episode, report: PoliceReport, source: IntakeSource, now) -> bool:
    """Set the report's values on the episode (in memory); True when anything changed."""
    values = _police_values(report)
    changed = [name for name, value in values.items() if getattr(episode, name) != value]
    check = getattr(episode, "safe_and_well", None)
    check_changed = report.safe_and_well_at is not None and (
        check is None or any(getattr(check, f) != getattr(report, c) for c, f in SAFE_AND_WELL_FIELDS.items())
    )
    if not changed and not check_changed:
        return False
    episode._reclassifications = [
        Reclassification(
            episode=episode,
            field=name,
            from_value=getattr(episode, name),
            to_value=values[name],
            changed_at=now,
            changed_by=source.user,
            source=source.reason(report.line),
            reason="Police record re-graded" if name == "risk_level" else "Police record reclassified",
        )
        for name in ("category", "risk_level")
        if name in changed
    ]
    for name in changed:
        setattr(episode, name, values[name])
    _sync_state(episode)
    episode.version += 1
    episode.updated_at = now
    episode._change_reason = source.reason(report.line)
    return True


def state_for_police_record(state: str, returned_at: datetime.datetime | None) -> str:
    """Missing until returned; a closed episode stays closed whatever the police record says."""
    if returned_at is not None and state == EpisodeState.MISSING:
        return EpisodeState.RETURNED
    if returned_at is None and state == EpisodeState.RETURNED:
        return EpisodeState.MISSING
    return state


def _sync_state(episode: Episode) -> None:
    target = state_for_police_record(episode.state, episode.returned_at)
    if target == EpisodeState.RETURNED and episode.state == EpisodeState.MISSING:
        episode.mark_returned()
    elif target == EpisodeState.MISSING and episode.state == EpisodeState.RETURNED:
        episode.withdraw_return()


def _after_reports(outcomes: list[IntakeOutcome], source: IntakeSource, now) -> None:
    """What follows created and changed records, a batch at a time: reclassifications, the
    safe-and-well checks the police reported, and the safe-and-well clocks."""
    reclassifications, new_checks, changed_checks, clocks = [], [], [], {}
    for outcome in outcomes:
        episode, report = outcome.episode, outcome.report
        created = outcome.outcome == Outcome.CREATED
        reclassifications.extend(getattr(episode, "_reclassifications", []))
        existing = None if created else getattr(episode, "safe_and_well", None)
        if report.safe_and_well_at is not None:
            check = existing or SafeAndWellCheck(episode=episode)
            for column, field in SAFE_AND_WELL_FIELDS.items():
                setattr(check, field, getattr(report, column))
            check.held_by = check.held_by or (
                f"{report.officer}, {report.force.code}" if report.officer else report.force.code
            )
            check.recorded_by = source.user
            check._change_reason = source.reason(report.line)
            (changed_checks if existing else new_checks).append(check)
        if not (created and episode.returned_at is None):
            recorded = report.safe_and_well_at is not None or existing is not None
            clocks[episode.pk] = safe_and_well_clock(episode, check_recorded=recorded)
    Reclassification.objects.bulk_create(reclassifications)
    if new_checks:
        bulk_create_with_history(new_checks, SafeAndWellCheck, default_user=source.user)
    if changed_checks:
        bulk_update_with_history(
            changed_checks,
            SafeAndWellCheck,
            fields=[*SAFE_AND_WELL_FIELDS.values(), "held_by", "recorded_by"],
            default_user=source.user,
        )
    if clocks:
        sync_safe_and_well_deadlines(clocks, now=now)


def _has_check(episode: Episode) -> bool:
    return SafeAndWellCheck.objects.filter(episode_id=episode.pk).exists()


def _child_from_report(report: PoliceReport) -> Child:
    return Child(
        given_name=report.given_name,
        family_name=report.family_name,
        date_of_birth=report.date_of_birth,
        gender=report.gender or Gender.UNKNOWN,
        ethnicity=report.ethnicity,
        postcode=report.home_postcode,
        responsible_authority=report.local_authority,
    )


def _episode_from_report(report: PoliceReport, child: Child, source: IntakeSource) -> Episode:
    episode = Episode(
        child=child,
        force=report.force,
        force_reference=report.force_reference,
        whereabouts_known=False,
        source=source.kind,
        **_police_values(report),
    )
    _sync_state(episode)
    episode._change_reason = source.reason(report.line)
    return episode


def _hold(report: PoliceReport, match, source: IntakeSource, now, held: HeldReport | None) -> HeldReport:
    """Keep a record that may be about a known child until a coordinator decides."""
    if held is not None and held.report == report.raw:
        return held
    if held is None:
        held = HeldReport(force=report.force, force_reference=report.force_reference, received_at=now)
    held.local_authority = report.local_authority
    held.report = report.raw
    held.source = source.kind
    held.source_label = source.reason(report.line)
    held._history_user = source.user
    held._change_reason = source.reason(report.line)
    held.save()
    held.match_candidates.all().delete()
    MatchCandidate.objects.bulk_create(
        MatchCandidate(held_report=held, child_id=child.pk, reason=reason) for child, reason in match.candidates
    )
    return held


def _link_companions(episodes: list[Episode]) -> None:
    """Spec: `went_missing_with` names other records of the same force, in any order of arrival.
    Links both ways whichever record arrived first; linking twice changes nothing."""
    episodes = [e for e in episodes if e is not None]
    if not episodes:
        return
    for episode in episodes:
        refs = [r for r in episode.went_missing_with.split(";") if r]
        if refs:
            episode.linked.add(*Episode.objects.filter(force_id=episode.force_id, force_reference__in=refs))
    by_force: dict[int, dict[str, Episode]] = {}
    for episode in episodes:
        if episode.force_id:
            by_force.setdefault(episode.force_id, {})[episode.force_reference] = episode
    for force_id, by_reference in by_force.items():
        naming = (
            Episode.objects.filter(force_id=force_id)
            .exclude(went_missing_with="")
            .filter(reduce(or_, (Q(went_missing_with__contains=ref) for ref in by_reference)))
        )
        for other in naming:
            for ref in other.went_missing_with.split(";"):
                if ref in by_reference and by_reference[ref].pk != other.pk:
                    other.linked.add(by_reference[ref])


# --- Records waiting for a coordinator to confirm the child ----------------------------------


def _report_from_held(held: HeldReport, now):
    from .feed import Lookups, parse_report

    report, errors = parse_report(held.report, line=0, lookups=Lookups(), now=now)
    if errors:
        raise ValidationError("; ".join(f"{e.column}: {e.reason}" for e in errors))
    return report


def _require_decider(user, held: HeldReport) -> None:
    if not HeldReport.objects.visible_to(user).filter(pk=held.pk).exists():
        raise PermissionDenied("Only a coordinator or manager of this local authority can decide this record.")


@transaction.atomic
def held_report_link(*, held: HeldReport, child: Child, by, now: datetime.datetime | None = None) -> Episode:
    """Confirm the match: the record becomes an episode of `child`, one of its candidates."""
    now = now or timezone.now()
    held = HeldReport.objects.select_for_update().get(pk=held.pk)
    _require_decider(by, held)
    if held.decision != HeldReport.Decision.WAITING:
        raise ValidationError("This record has already been decided.")
    if not held.match_candidates.filter(child=child).exists():
        raise ValidationError("Choose one of the children this record was matched to.")
    source = IntakeSource(Source.FORM, f"Match confirmed by {by}", by)
    (outcome,) = intake_reports(reports=[_report_from_held(held, now)], source=source, now=now, child=child)
    _decide(held, HeldReport.Decision.LINKED, outcome.episode, by, now, f"Linked to child {child.pk}")
    return outcome.episode


@transaction.atomic
def held_report_new_child(*, held: HeldReport, by, now: datetime.datetime | None = None) -> Episode:
    """Reject every candidate: the record is about a child not yet known, who is created."""
    now = now or timezone.now()
    held = HeldReport.objects.select_for_update().get(pk=held.pk)
    _require_decider(by, held)
    if held.decision != HeldReport.Decision.WAITING:
        raise ValidationError("This record has already been decided.")
    report = _report_from_held(held, now)
    child = _child_from_report(report)
    children_create_bulk(children=[child], by=by, reason="Police record: not any known child (match rejected)")
    source = IntakeSource(Source.FORM, f"Match rejected by {by}: a new child", by)
    (outcome,) = intake_reports(reports=[report], source=source, now=now, child=child)
    _decide(held, HeldReport.Decision.NEW_CHILD, outcome.episode, by, now, "Match rejected: a new child")
    return outcome.episode


def _decide(held: HeldReport, decision, episode, by, now, reason) -> None:
    held.refresh_from_db()
    held.decision = decision
    held.episode = episode
    held.decided_by = by
    held.decided_at = now
    held._history_user = by
    held._change_reason = reason
    held.save()


# --- Changes people make by hand -------------------------------------------------------------


def changes_since(episode: Episode, version: int) -> list[tuple[str, str, str]]:
    """What changed on the episode after `version`: (field, then, now), for a conflict screen."""
    then = episode.history.filter(version=version).order_by("-history_date").first()
    current = episode.history.order_by("-history_date", "-history_id").first()
    if then is None or current is None:
        return []
    changes = []
    for change in current.diff_against(then, excluded_fields=["version"]).changes:
        field = Episode._meta.get_field(change.field)
        label = str(field.verbose_name)
        display = dict(field.flatchoices) if field.choices else {}
        changes.append(
            (
                label[:1].upper() + label[1:],
                str(display.get(change.old, change.old if change.old not in (None, "") else "—")),
                str(display.get(change.new, change.new if change.new not in (None, "") else "—")),
            )
        )
    return changes


def _locked(episode: Episode, expected_version: int | None) -> Episode:
    """The episode, locked for this transaction, refusing a save made from a stale screen."""
    current = Episode.objects.select_for_update(of=("self",)).select_related("child", "force").get(pk=episode.pk)
    if expected_version is not None and current.version != expected_version:
        raise EpisodeConflict(current, changes_since(current, expected_version))
    return current


def _save(episode: Episode, *, by, reason: str, now) -> Episode:
    episode.version += 1
    episode._history_user = by
    episode._change_reason = reason
    episode.save()
    announce([episode.pk], now=now)
    return episode


def _invalid(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def episode_record_return(
    *,
    episode: Episode,
    by,
    returned_at: datetime.datetime,
    found_location: str = "",
    found_postcode: str = "",
    return_method: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Episode:
    """The child was found or came back: record when, where and how; starts the 24-hour
    safe-and-well clock."""
    now = now or timezone.now()
    episode = _locked(episode, expected_version)
    if episode.state != EpisodeState.MISSING:
        raise ValidationError("This episode already has a return recorded. Change it by re-grading the record.")
    _invalid(
        rules.described(
            rules.time_errors(last_seen_at=episode.last_seen_at, reported_at=None, returned_at=returned_at, now=now)
        )
    )
    episode.returned_at = returned_at
    episode.found_location = found_location
    episode.found_postcode = found_postcode
    episode.return_method = return_method
    episode.mark_returned()
    _save(episode, by=by, reason="Return recorded", now=now)
    sync_safe_and_well_deadline(episode, check_recorded=_has_check(episode), now=now)
    return episode


@transaction.atomic
def episode_reclassify(
    *,
    episode: Episode,
    by,
    category: str,
    risk_level: str,
    reason: str,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Episode:
    """Change the police category or risk grade; every change is kept as a reclassification
    (from, to, when, who, why)."""
    now = now or timezone.now()
    episode = _locked(episode, expected_version)
    if not reason.strip():
        _invalid({"reason": "Say why the episode is being reclassified."})
    if not episode.is_police_record:
        _invalid({"category": "An away-from-placement record is the council's, not a police classification."})
    changes = [
        (name, value)
        for name, value in (("category", category), ("risk_level", risk_level))
        if getattr(episode, name) != value
    ]
    if not changes:
        _invalid({"category": "Choose a different category or risk grade: these are the ones recorded now."})
    for name, value in changes:
        Reclassification.objects.create(
            episode=episode,
            field=name,
            from_value=getattr(episode, name),
            to_value=value,
            changed_at=now,
            changed_by=by,
            source=str(by),
            reason=reason.strip(),
        )
        setattr(episode, name, value)
    return _save(episode, by=by, reason=f"Reclassified: {reason.strip()}", now=now)


@transaction.atomic
def episode_close(*, episode: Episode, by, reason: str = "", expected_version: int | None = None, now=None) -> Episode:
    """Nothing more to do: a returned episode is closed."""
    now = now or timezone.now()
    episode = _locked(episode, expected_version)
    if episode.state != EpisodeState.RETURNED:
        raise ValidationError("Only an episode whose child has returned can be closed.")
    episode.close()
    episode.closed_reason = reason.strip()
    return _save(episode, by=by, reason=f"Closed{': ' + reason.strip() if reason.strip() else ''}", now=now)


@transaction.atomic
def episode_reopen(*, episode: Episode, by, reason: str, expected_version: int | None = None, now=None) -> Episode:
    """Reopening a closed episode is for a manager only, with a reason (kept in history)."""
    now = now or timezone.now()
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied("Only a manager can reopen a closed episode.")
    episode = _locked(episode, expected_version)
    if episode.state != EpisodeState.CLOSED:
        raise ValidationError("Only a closed episode can be reopened.")
    if not reason.strip():
        _invalid({"reason": "Say why the episode is being reopened."})
    episode.reopen()
    episode.closed_reason = ""
    return _save(episode, by=by, reason=f"Reopened: {reason.strip()}", now=now)


@transaction.atomic
def away_episode_create(
    *,
    child: Child,
    by,
    last_seen_at: datetime.datetime,
    whereabouts: str,
    returned_at: datetime.datetime | None = None,
    circumstances: str = "",
    now: datetime.datetime | None = None,
) -> Episode:
    """domain.md: away from placement without authorisation: a looked-after child whose
    whereabouts are known but who is not where they should be. A council record, entered by
    the hub; never a police one."""
    now = now or timezone.now()
    errors = {}
    if not child.is_looked_after:
        errors["child"] = "Only a looked-after child can be recorded as away from placement."
    if not whereabouts.strip():
        errors["whereabouts"] = "Say where the child is: an away-from-placement record means the whereabouts are known."
    errors.update(
        rules.described(
            rules.time_errors(last_seen_at=last_seen_at, reported_at=None, returned_at=returned_at, now=now)
        )
    )
    _invalid(errors)
    episode = Episode(
        child=child,
        local_authority=child.host_authority or child.responsible_authority,
        category=Category.AWAY,
        whereabouts_known=True,
        last_seen_at=last_seen_at,
        last_seen_location=whereabouts.strip(),
        returned_at=returned_at,
        missing_from="care_placement",
        establishment=child.establishment,
        missing_from_postcode=child.establishment.postcode if child.establishment else "",
        circumstances=circumstances.strip(),
        source=Source.FORM,
        version=0,
    )
    _sync_state(episode)
    return _save(episode, by=by, reason="Away from placement recorded", now=now)


@transaction.atomic
def safe_and_well_record(
    *,
    episode: Episode,
    by,
    held_at: datetime.datetime | None = None,
    held_by: str = "",
    outcome: str = "",
    harm_disclosed: str = "",
    not_held_reason: str = "",
    now: datetime.datetime | None = None,
) -> SafeAndWellCheck:
    """The police safe-and-well check after a return, or the decision not to hold one and why.
    Meets the 24-hour clock."""
    now = now or timezone.now()
    episode = _locked(episode, None)
    errors = {}
    if episode.returned_at is None:
        errors["held_at"] = "Record the child's return before the safe-and-well check."
    elif held_at is None and not not_held_reason.strip():
        errors["held_at"] = "Enter when the check was held, or why it was decided not to hold one."
    elif held_at is not None and not_held_reason.strip():
        errors["not_held_reason"] = "Give either when the check was held or why none was held, not both."
    elif held_at is not None:
        if held_at > now:
            errors["held_at"] = "The check cannot be in the future."
        elif held_at < episode.returned_at:
            errors["held_at"] = "The check cannot be before the child returned."
        if not outcome.strip():
            errors["outcome"] = "Enter the outcome of the check."
    _invalid(errors)
    check = getattr(episode, "safe_and_well", None) if _has_check(episode) else None
    check = check or SafeAndWellCheck(episode=episode)
    check.held_at = held_at
    check.held_by = held_by.strip() if held_at else ""
    check.outcome = outcome.strip() if held_at else ""
    check.harm_disclosed = harm_disclosed if held_at else ""
    check.not_held_reason = "" if held_at else not_held_reason.strip()
    check.recorded_by = by
    check._history_user = by
    check._change_reason = "Safe-and-well check recorded" if held_at else "Decided not to hold a safe-and-well check"
    check.save()
    sync_safe_and_well_deadline(episode, check_recorded=True, now=now)
    return check


# --- API keys --------------------------------------------------------------------------------


API_KEY_PREFIX = "hw_"


@transaction.atomic
def api_key_create(*, agency, name: str, by=None) -> tuple[ApiKey, str]:
    """A new key for a police force's partner system. The key itself is returned once, here,
    and only its hash is kept."""
    if not agency.is_police:
        raise ValidationError({"agency": "API keys are for police forces sending reports."})
    if not name.strip():
        raise ValidationError({"name": "Say what will use the key."})
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(agency=agency, name=name.strip(), prefix=raw[:10], key_hash=hash_api_key(raw), created_by=by)
    key._history_user = by
    key._change_reason = "API key created"
    key.save()
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by=None, now: datetime.datetime | None = None) -> ApiKey:
    """The key stops working at once."""
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key._history_user = by
        key._change_reason = "API key revoked"
        key.save()
    return key


# --- Uploaded feed files ---------------------------------------------------------------------

IMPORT_MAX_BYTES = 50 * 1024 * 1024
# A text file has no NUL bytes: enough of the start to tell a spreadsheet or an image from CSV.
IMPORT_SNIFF_BYTES = 64 * 1024


def _upload_errors(upload) -> dict[str, str]:
    if not upload.name.lower().endswith(".csv"):
        return {"file": "The selected file must be a CSV"}
    if upload.size > IMPORT_MAX_BYTES:
        return {"file": f"The selected file must be {IMPORT_MAX_BYTES / (1024 * 1024):g} MB or smaller"}
    if upload.size == 0:
        return {"file": "The selected file is empty"}
    upload.seek(0)
    start = upload.read(IMPORT_SNIFF_BYTES)
    upload.seek(0)
    if b"\x00" in start:
        return {"file": "The selected file must be a CSV saved as UTF-8 text (this one holds binary data)"}
    return {}


@transaction.atomic
def import_job_create(*, uploaded_by, upload) -> ImportJob:
    """Keep an uploaded feed file and queue its import (through the outbox, after commit)."""
    if not permissions.can_upload_feed(uploaded_by):
        raise PermissionDenied("Only coordinators, managers and police SPOCs can upload a police feed file.")
    _invalid(_upload_errors(upload))
    job = ImportJob(uploaded_by=uploaded_by, original_name=upload.name[:255], size=upload.size)
    # A name of our own: the uploaded name is shown, never used as a path.
    job.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    job._history_user = uploaded_by
    job._change_reason = "Police feed file uploaded"
    job.save()
    enqueue("episodes.tasks.run_import_job", args=[job.pk])
    return job


def _uploader_may_send(user):
    """An uploader's rows must be their own force's (police) or their council's area's: the same
    rule as the form and the API."""

    def check(report: PoliceReport) -> RowError | None:
        refusal = permissions.report_refusal(user, report.force, report.local_authority)
        return RowError(report.line, *refusal) if refusal else None

    return check


def import_job_run(*, job_id: int, now: datetime.datetime | None = None) -> ImportJob:
    """Import an uploaded file; safe to call twice (the task may be delivered twice).

    1. Claim the job with a conditional update (queued -> running): a job already claimed or
       finished is left alone.
    2. Import the file through the same path as the command, saving progress after each batch.
    3. Keep the counts, the refusal, the notes and every rejected row; the job is done or
       refused. An unexpected error marks it failed (and is logged): it never stays running.
    """
    # episodes.imports imports this module, so it is imported here, when needed.
    from .imports import import_feed

    now = now or timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=now, heartbeat_at=timezone.now()
    )
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if not claimed:
        logger.info("Import job %s is %s: not run again", job_id, job.state)
        return job

    def progress(bytes_read: int, rows_read: int) -> None:
        # Two columns updated, not a save: no history row per batch, and nothing else overwritten.
        ImportJob.objects.filter(pk=job_id).update(
            bytes_read=bytes_read, rows_read=rows_read, heartbeat_at=timezone.now()
        )

    user = job.uploaded_by
    source = IntakeSource(Source.UPLOAD, f"Police feed upload {job.original_name} by {user}", user)
    try:
        with job.file.open("rb") as stream:
            report = import_feed(stream, source=source, now=now, progress=progress, row_check=_uploader_may_send(user))
        return _import_job_finish(job, report)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        job.refresh_from_db()
        job.state = ImportJob.State.FAILED
        job.finished_at = timezone.now()
        job._history_user = user
        job._change_reason = "Import failed"
        job.save()
        return job


# A running import writes its heartbeat after every batch (seconds apart); one silent this long
# has lost its worker (a deploy, a crash, the machine restarted).
IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
RESUMED_NOTE = (
    "The import was started again after its worker stopped: records imported before then are "
    "counted as unchanged."
)


def import_jobs_resume_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again every running import whose worker stopped; returns their ids.

    Each job is taken back with a conditional update (running and silent -> queued), so two
    sweepers resume it once; the import is idempotent, so running it again from the start
    finishes the work and writes nothing twice."""
    now = now or timezone.now()
    stale = ImportJob.objects.filter(state=ImportJob.State.RUNNING, heartbeat_at__lt=now - IMPORT_STALE_AFTER)
    resumed = []
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            taken = ImportJob.objects.filter(
                pk=job_id, state=ImportJob.State.RUNNING, heartbeat_at__lt=now - IMPORT_STALE_AFTER
            ).update(state=ImportJob.State.QUEUED, resumed=True)
            if taken:
                enqueue("episodes.tasks.run_import_job", args=[job_id])
                resumed.append(job_id)
    if resumed:
        logger.warning("Import jobs %s had stopped; queued again", resumed)
    return resumed


@transaction.atomic
def _import_job_finish(job: ImportJob, report) -> ImportJob:
    job.refresh_from_db()
    job.state = ImportJob.State.REFUSED if report.refusal else ImportJob.State.DONE
    job.refusal = report.refusal
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.rejected, job.held = report.rejected_rows, report.held
    job.notes = report.notes() + ([RESUMED_NOTE] if job.resumed else [])
    job.finished_at = timezone.now()
    job._history_user = job.uploaded_by
    job._change_reason = "Import refused" if report.refusal else "Import finished"
    job.save()
    rejections = [
        ImportRejection(
            job=job,
            line=error.line,
            column=error.column[:100],
            reason=error.reason[:500],
            row=report.rejected.get(error.line, {}),
        )
        for error in report.errors
    ]
    bulk_create_with_history(rejections, ImportRejection, default_user=job.uploaded_by, batch_size=1000)
    return job
