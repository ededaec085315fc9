"""Importing a police feed file: read it (episodes.feed), check each row, hand the good rows to
the intake a batch at a time, and report what happened. Used by `import_police_feed` and by the
upload page's Celery job, so both report the same way.
"""

import contextlib
import dataclasses
import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from missing import bulk

from .feed import FeedFile, FeedRefused, Lookups, PoliceReport, RowError, parse_report
from .intake_bulk import intake_file_reports
from .services import IntakeSource, Outcome, intake_reports

# Rows written together, in one transaction: large enough that each statement serves many rows.
BATCH_SIZE = 5000


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0
    rejected_rows: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)
    # Rejected rows as received (line -> column -> text), for the downloadable CSV.
    rejected: dict[int, dict[str, str]] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)
    unknown_columns: list[str] = dataclasses.field(default_factory=list)
    refusal: str = ""

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected_rows}, held for matching {self.held}"
        )

    def notes(self) -> list[str]:
        notes = []
        if self.unknown_columns:
            notes.append(f"Columns ignored (not in the feed format): {', '.join(self.unknown_columns)}")
        return notes + self.warnings

    def count(self, outcome: Outcome) -> None:
        name = {Outcome.CREATED: "created", Outcome.UPDATED: "updated", Outcome.UNCHANGED: "unchanged"}.get(
            outcome, "held"
        )
        setattr(self, name, getattr(self, name) + 1)

    @property
    def exit_status(self) -> int:
        """0: every row accepted; 1: some rows rejected; 2: the file was refused whole."""
        if self.refusal:
            return 2
        return 1 if self.rejected_rows else 0


Progress = Callable[[int, int], None]
RowCheck = Callable[[PoliceReport], RowError | None]


class _DryRun(Exception):
    pass


def import_feed(
    stream,
    *,
    source: IntakeSource,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
    row_check: RowCheck | None = None,
) -> ImportReport:
    """Import a feed file from a binary stream; never raises for bad content, it reports it.

    1. Check the whole file (UTF-8, CSV, header) before writing anything: a refused file
       leaves no trace.
    2. Read each row; a row that breaks a rule is reported with its line, column and reason,
       and is not written. Good rows go to the intake BATCH_SIZE at a time.
    3. `dry_run` does all of it in one transaction and rolls it back.
    `progress(bytes_read, rows_read)` is called after each batch; `row_check(report)` may refuse
    a row the caller may not send (an uploader's rows must be their own force's or area's).
    """
    now = now or timezone.now()
    report = ImportReport()
    feed = FeedFile(stream)
    try:
        feed.check()
    except FeedRefused as refusal:
        report.refusal = str(refusal)
        return report
    report.unknown_columns = feed.unknown_columns
    lookups = Lookups()
    try:
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            _import_rows(feed, report, source, lookups, now, progress, row_check)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except FeedRefused as refusal:  # only if the file changed between the check and the import
        report.refusal = str(refusal)
    return report


def _import_rows(feed, report, source, lookups, now, progress, row_check) -> None:
    batch, rows_read = [], 0
    for line, values, error in feed.rows():
        rows_read += 1
        if error is not None:
            _reject(report, line, values or {}, [error])
            continue
        police_report, errors = parse_report(values, line=line, lookups=lookups, now=now)
        if not errors and row_check is not None and (refusal := row_check(police_report)):
            errors = [refusal]
        if errors:
            _reject(report, line, values, errors)
            continue
        report.warnings.extend(police_report.warnings)
        batch.append(police_report)
        if len(batch) >= BATCH_SIZE:
            _flush(batch, report, source, now)
            batch = []
            if progress:
                progress(feed.position(), rows_read)
    _flush(batch, report, source, now)
    if progress:
        progress(feed.position(), rows_read)


def _reject(report: ImportReport, line: int, values: dict, errors: list[RowError]) -> None:
    report.rejected_rows += 1
    report.errors.extend(errors)
    report.rejected[line] = values


def _flush(batch, report, source, now) -> None:
    """The batch through the set-based intake on PostgreSQL, else the model-by-model one."""
    if not batch:
        return
    if bulk.available():
        outcomes = intake_file_reports(reports=batch, source=source, now=now)
    else:
        outcomes = [outcome.outcome for outcome in intake_reports(reports=batch, source=source, now=now)]
    for outcome in outcomes:
        report.count(outcome)
