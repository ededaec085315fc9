"""The clocks an episode starts: the police safe-and-well check, 24 hours after return."""

import datetime
import logging

from deadlines import services as deadlines

from .rules import safe_and_well_due

logger = logging.getLogger(__name__)

SAFE_AND_WELL = "episodes.safe_and_well_check"


def safe_and_well_clock(episode, *, check_recorded: bool) -> deadlines.Clock:
    """The police safe-and-well clock: running from the return until a check (or the decision
    not to hold one) is recorded; none while the child is still missing."""
    if episode.returned_at is None:
        return deadlines.Clock(due_at=None)
    return deadlines.Clock(due_at=safe_and_well_due(episode.returned_at), done=check_recorded)


def sync_safe_and_well_deadlines(clocks: dict[int, deadlines.Clock], *, now: datetime.datetime) -> None:
    """Bring the safe-and-well clocks of episodes (by id) in line with `clocks`; called whenever
    a return time or a check changes, from whichever door changed it."""
    from .models import Episode

    deadlines.deadlines_set(kind=SAFE_AND_WELL, model=Episode, clocks=clocks, now=now)


def sync_safe_and_well_deadline(episode, *, check_recorded: bool, now: datetime.datetime) -> None:
    sync_safe_and_well_deadlines({episode.pk: safe_and_well_clock(episode, check_recorded=check_recorded)}, now=now)


def _safe_and_well_breached(deadline, now) -> None:
    # Nothing to send: the coordinator's and the SPOC's home pages list overdue checks from
    # `due_at` live, so the list never depends on the sweep having run.
    logger.info("Safe-and-well check overdue for episode %s", deadline.subject_id)


deadlines.register_breach_handler(SAFE_AND_WELL, _safe_and_well_breached)
