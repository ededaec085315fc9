"""The intake of a feed file on PostgreSQL, written set-based: the decisions of
`services.intake_reports` (created, updated, unchanged or held; matching; reclassifications;
safe-and-well checks and clocks; companions; history for every row written), made for
thousands of reports at a time with COPY and a few statements per batch instead of a model
instance per row (missing/bulk.py). `intake_reports` stays the path for one report (the API,
the forms, a coordinator's decision) and the portable twin on other databases; the feed tests
run against both.
"""

import dataclasses
import datetime
import logging
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from children.models import Child, Gender
from deadlines.services import Clock
from missing import bulk

from . import matching, services
from .deadlines import sync_safe_and_well_deadlines
from .feed import PoliceReport
from .models import Episode, EpisodeState, HeldReport, MatchCandidate, Reclassification, SafeAndWellCheck
from .rules import safe_and_well_due
from .signals import announce

logger = logging.getLogger(__name__)

_FIELDS = [Episode._meta.get_field(name) for name in services.POLICE_FIELDS]
_COLUMNS = ", ".join(f"e.{connection.ops.quote_name(field.column)}" for field in _FIELDS)


@dataclasses.dataclass
class _Existing:
    episode_id: int
    state: str
    version: int
    police: tuple
    check_id: int | None
    check: tuple
    held_by: str


def intake_file_reports(*, reports: Sequence[PoliceReport], source, now: datetime.datetime) -> list[str]:
    """Apply police reports read from a file; returns each report's outcome, in order.

    As `services.intake_reports`: a transaction per batch (no batch names a record twice), the
    batch's records and held records locked, a batch that lost a race with a parallel import
    retried."""
    outcomes = []
    for batch in services._unique_batches(reports):
        for attempt in range(services.INTAKE_RETRIES):
            try:
                with transaction.atomic():
                    outcomes.extend(_intake_batch(batch, source, now))
                break
            except IntegrityError:
                if attempt == services.INTAKE_RETRIES - 1:
                    raise
                logger.info("Intake batch raced a parallel import; retrying")
    return outcomes


def _police_values(report: PoliceReport) -> tuple:
    values = services._police_values(report)
    values["local_authority"] = report.local_authority.pk
    return tuple(values[name] for name in services.POLICE_FIELDS)


def _existing(batch: list[PoliceReport]) -> dict[tuple, _Existing]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, e.force_id, e.force_reference, e.state, e.version, {_COLUMNS}, "
            "c.id, c.held_at, c.outcome, c.harm_disclosed, c.held_by "
            "FROM episodes_episode e "
            "JOIN unnest(%s::bigint[], %s::text[]) AS k(force_id, reference) "
            "ON e.force_id = k.force_id AND e.force_reference = k.reference "
            "LEFT JOIN episodes_safeandwellcheck c ON c.episode_id = e.id "
            "FOR UPDATE OF e",
            [[r.force.pk for r in batch], [r.force_reference for r in batch]],
        )
        rows = cursor.fetchall()
    width = len(_FIELDS)
    return {
        (row[1], row[2]): _Existing(
            episode_id=row[0],
            state=row[3],
            version=row[4],
            police=tuple(row[5 : 5 + width]),
            check_id=row[5 + width],
            check=tuple(row[6 + width : 9 + width]),
            held_by=row[9 + width] or "",
        )
        for row in rows
    }


def _candidates(reports: list[PoliceReport]) -> matching.CandidateIndex:
    """Every child any of `reports` could be about, in two queries (children, then aliases)."""
    wanted = matching._wanted(reports)
    authorities = list(wanted)
    dates = sorted({d for dates, _ in wanted.values() for d in dates})
    keys = sorted({k for _, keys in wanted.values() for k in keys})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, given_name, family_name, name_key, date_of_birth, responsible_authority_id, host_authority_id "
            "FROM children_child WHERE (responsible_authority_id = ANY(%s) OR host_authority_id = ANY(%s)) "
            "AND (date_of_birth = ANY(%s::date[]) OR name_key = ANY(%s::text[])) ORDER BY id",
            [authorities, authorities, dates, keys],
        )
        children = cursor.fetchall()
        aliases: dict[int, list[str]] = {}
        if children:
            cursor.execute(
                "SELECT child_id, name FROM children_childalias WHERE child_id = ANY(%s) ORDER BY id",
                [[row[0] for row in children]],
            )
            for child_id, name in cursor.fetchall():
                aliases.setdefault(child_id, []).append(name)
    return matching.CandidateIndex(matching.Candidate(*row, aliases=tuple(aliases.get(row[0], ()))) for row in children)


class _Writes:
    """What one batch writes, gathered as plain rows, then written table by table."""

    def __init__(self, source, now):
        self.source, self.now = source, now
        self.user_id = source.user.pk if source.user is not None else None
        self.children: list[dict] = []
        self.episodes: list[dict] = []
        self.updates: list[dict] = []
        self.reclassifications: list[dict] = []
        self.new_checks: list[dict] = []
        self.changed_checks: list[dict] = []
        self.holds: list[tuple[PoliceReport, matching.Match]] = []
        self.clocks: dict[int, Clock] = {}
        self.written: list[tuple[int, PoliceReport, bool]] = []  # (episode id, report, created)
        self.child_of: dict[int, int] = {}


def _intake_batch(batch: list[PoliceReport], source, now: datetime.datetime) -> list[str]:
    """The steps of `services._intake_batch`, in the same order, for plain rows."""
    services._take_turns_by_authority(batch)
    existing = _existing(batch)
    waiting = {
        (h.force_id, h.force_reference): h
        for h in HeldReport.objects.select_for_update().filter(
            services._records_query(batch), decision=HeldReport.Decision.WAITING
        )
    }
    writes = _Writes(source, now)
    outcomes: dict[int, str] = {}
    new_reports = []
    for report in batch:
        found = existing.get(report.key)
        if found is None:
            new_reports.append(report)
        else:
            changed = _update(found, report, writes)
            outcomes[report.line] = services.Outcome.UPDATED if changed else services.Outcome.UNCHANGED

    index = _candidates(new_reports) if new_reports else None
    child_ids = iter(bulk.allocate_ids(Child, len(new_reports)))
    episode_ids = iter(bulk.allocate_ids(Episode, len(new_reports)))
    created_children = set()
    for report in new_reports:
        match = matching.match(report, index.for_report(report))
        if match.certain:
            child_id = match.child.pk
        elif match.held:
            outcomes[report.line] = services.Outcome.HELD
            held = waiting.get(report.key)
            if held is None:
                writes.holds.append((report, match))
            elif held.report != report.raw:
                services._hold(report, match, source, now, held)
            continue
        else:
            child_id = next(child_ids)
            writes.children.append(_child_row(child_id, report, source))
            index.add(matching.Candidate.new(child_id, report))
            created_children.add(child_id)
        _create(next(episode_ids), child_id, report, writes)
        outcomes[report.line] = services.Outcome.CREATED

    _write(writes)
    for episode_id, report, created in writes.written:
        held = waiting.get(report.key)
        if created and held is not None:
            # A record that was waiting now matches with certainty (the child's record was corrected).
            child_id = writes.child_of[episode_id]
            decision = HeldReport.Decision.NEW_CHILD if child_id in created_children else HeldReport.Decision.LINKED
            services._decide(held, decision, Episode(pk=episode_id), source.user, now, source.reason(report.line))
    _link_companions(writes.written)
    announce([episode_id for episode_id, _, _ in writes.written], now=now)
    return [outcomes[report.line] for report in batch]


def _update(found: _Existing, report: PoliceReport, writes: _Writes) -> bool:
    """The report against the stored record: an update row when anything differs."""
    values = _police_values(report)
    check_changed = report.safe_and_well_at is not None and (
        found.check_id is None
        or found.check != (report.safe_and_well_at, report.safe_and_well_outcome, report.harm_disclosed)
    )
    if values == found.police and not check_changed:
        return False
    row = {field.attname: value for field, value in zip(_FIELDS, values, strict=True)}
    row.update(
        pk=found.episode_id,
        state=services.state_for_police_record(found.state, report.returned_at),
        version=found.version + 1,
        updated_at=writes.now,
        history_reason=writes.source.reason(report.line),
    )
    writes.updates.append(row)
    old = dict(zip(services.POLICE_FIELDS, found.police, strict=True))
    for name in ("category", "risk_level"):
        if old[name] != row[name]:
            writes.reclassifications.append(
                {
                    "episode_id": found.episode_id,
                    "field": name,
                    "from_value": old[name],
                    "to_value": row[name],
                    "changed_at": writes.now,
                    "changed_by_id": writes.user_id,
                    "source": writes.source.reason(report.line),
                    "reason": "Police record re-graded" if name == "risk_level" else "Police record reclassified",
                }
            )
    if report.safe_and_well_at is not None:
        _check(found.episode_id, report, writes, existing_id=found.check_id, held_by=found.held_by)
    recorded = report.safe_and_well_at is not None or found.check_id is not None
    writes.clocks[found.episode_id] = _clock(report.returned_at, recorded)
    writes.written.append((found.episode_id, report, False))
    return True


def _clock(returned_at, recorded: bool) -> Clock:
    """As `deadlines.safe_and_well_clock`, from the report's return time."""
    if returned_at is None:
        return Clock(due_at=None)
    return Clock(due_at=safe_and_well_due(returned_at), done=recorded)


def _check(episode_id: int, report: PoliceReport, writes: _Writes, *, existing_id=None, held_by="") -> None:
    row = {
        "episode_id": episode_id,
        "held_at": report.safe_and_well_at,
        "outcome": report.safe_and_well_outcome,
        "harm_disclosed": report.harm_disclosed,
        "held_by": held_by or (f"{report.officer}, {report.force.code}" if report.officer else report.force.code),
        "recorded_by_id": writes.user_id,
        "history_reason": writes.source.reason(report.line),
    }
    if existing_id is None:
        writes.new_checks.append(row)
    else:
        writes.changed_checks.append({**row, "pk": existing_id})


def _child_row(child_id: int, report: PoliceReport, source) -> dict:
    """As `services._child_from_report` and `children_create_bulk`."""
    key = matching.name_key(report.given_name, report.family_name)
    return {
        "id": child_id,
        "given_name": report.given_name,
        "family_name": report.family_name,
        "date_of_birth": report.date_of_birth,
        "gender": report.gender or Gender.UNKNOWN,
        "ethnicity": report.ethnicity,
        "postcode": report.home_postcode,
        "responsible_authority_id": report.local_authority.pk,
        "search_text": key,
        "name_key": key,
        "history_reason": source.reason(),
    }


def _create(episode_id: int, child_id: int, report: PoliceReport, writes: _Writes) -> None:
    """As `services._episode_from_report`."""
    row = {field.attname: value for field, value in zip(_FIELDS, _police_values(report), strict=True)}
    row.update(
        id=episode_id,
        child_id=child_id,
        force_id=report.force.pk,
        force_reference=report.force_reference,
        whereabouts_known=False,
        source=writes.source.kind,
        state=services.state_for_police_record(EpisodeState.MISSING, report.returned_at),
        history_reason=writes.source.reason(report.line),
    )
    writes.episodes.append(row)
    if report.safe_and_well_at is not None:
        _check(episode_id, report, writes)
    if report.returned_at is not None:
        writes.clocks[episode_id] = _clock(report.returned_at, report.safe_and_well_at is not None)
    writes.written.append((episode_id, report, True))


def _write(writes: _Writes) -> None:
    """Table by table, each row with its history row (the same user, the same change reason
    as the model path)."""
    user_id, date = writes.user_id, timezone.now()
    writes.child_of = {row["id"]: row["child_id"] for row in writes.episodes}
    bulk.create_with_history(Child, writes.children, user_id=user_id, date=date)
    bulk.create_with_history(Episode, writes.episodes, user_id=user_id, date=date)
    bulk.update_with_history(
        Episode,
        writes.updates,
        fields=[*(f.attname for f in _FIELDS), "state", "version", "updated_at"],
        user_id=user_id,
        date=date,
    )
    bulk.copy_rows(Reclassification, writes.reclassifications)
    bulk.create_with_history(SafeAndWellCheck, writes.new_checks, user_id=user_id, date=date)
    bulk.update_with_history(
        SafeAndWellCheck,
        [{**row, "recorded_at": date} for row in writes.changed_checks],
        fields=["held_at", "outcome", "harm_disclosed", "held_by", "recorded_by_id", "recorded_at"],
        user_id=user_id,
        date=date,
    )
    if writes.clocks:
        sync_safe_and_well_deadlines(writes.clocks, now=writes.now)
    _write_holds(writes, date)


def _write_holds(writes: _Writes, date) -> None:
    """New held records, with their candidates: as `services._hold` for a record not yet held."""
    source = writes.source
    rows = [
        {
            "force_id": report.force.pk,
            "force_reference": report.force_reference,
            "local_authority_id": report.local_authority.pk,
            "report": report.raw,
            "source": source.kind,
            "source_label": source.reason(report.line),
            "history_reason": source.reason(report.line),
            "decision": HeldReport.Decision.WAITING,
            "received_at": writes.now,
        }
        for report, _ in writes.holds
    ]
    bulk.create_with_history(HeldReport, rows, user_id=writes.user_id, date=date)
    bulk.copy_rows(
        MatchCandidate,
        [
            {"held_report_id": row["id"], "child_id": child.pk, "reason": reason}
            for row, (_, match) in zip(rows, writes.holds, strict=True)
            for child, reason in match.candidates
        ],
    )


def _link_companions(written: list[tuple[int, PoliceReport, bool]]) -> None:
    """As `services._link_companions`: both ways, whichever record arrived first, once.

    The records a written record names are found by reference; the records naming a record
    created here (which arrived before it) by one array overlap per force. A record that
    already existed was linked to those when it arrived."""
    named = [(episode_id, report) for episode_id, report, _ in written if report.went_missing_with]
    created_by_force: dict[int, dict[str, int]] = {}
    for episode_id, report, created in written:
        if created:
            created_by_force.setdefault(report.force.pk, {})[report.force_reference] = episode_id
    pairs = set()
    with connection.cursor() as cursor:
        if named:
            wanted = [(report.force.pk, ref) for _, report in named for ref in report.went_missing_with]
            cursor.execute(
                "SELECT e.id, e.force_id, e.force_reference FROM episodes_episode e "
                "JOIN unnest(%s::bigint[], %s::text[]) AS k(force_id, reference) "
                "ON e.force_id = k.force_id AND e.force_reference = k.reference",
                [[w[0] for w in wanted], [w[1] for w in wanted]],
            )
            ids = {(force_id, reference): pk for pk, force_id, reference in cursor.fetchall()}
            for episode_id, report in named:
                for ref in report.went_missing_with:
                    other = ids.get((report.force.pk, ref))
                    if other is not None and other != episode_id:
                        pairs.add((episode_id, other))
        for force_id, by_reference in created_by_force.items():
            cursor.execute(
                "SELECT id, went_missing_with FROM episodes_episode WHERE force_id = %s "
                "AND went_missing_with <> '' AND string_to_array(went_missing_with, ';') && %s::text[]",
                [force_id, list(by_reference)],
            )
            for other, refs in cursor.fetchall():
                for ref in refs.split(";"):
                    if ref in by_reference and by_reference[ref] != other:
                        pairs.add((other, by_reference[ref]))
        links = pairs | {(b, a) for a, b in pairs}
        if links:
            cursor.execute(
                "INSERT INTO episodes_episode_linked (from_episode_id, to_episode_id) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                [[a for a, _ in links], [b for _, b in links]],
            )
