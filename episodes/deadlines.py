"""The clocks an episode starts: the police safe-and-well check, 24 hours after return."""

import datetime
import logging

from deadlines import services as deadlines

from .rules import safe_and_well_due

logger = logging.getLogger(__name__)

SAFE_AND_WELL = "episodes.safe_and_well_check"


def sync_safe_and_well_deadline(episode, *, check_recorded: bool, now: datetime.datetime) -> None:
    """Open, move, meet or cancel the safe-and-well clock to fit the episode as it is now.

    Called whenever the return time or the check changes, from whichever door changed it.
    """
    if episode.returned_at is None:
        deadlines.deadline_cancel(kind=SAFE_AND_WELL, subject=episode, at=now)
    elif check_recorded:
        met = deadlines.deadline_meet(kind=SAFE_AND_WELL, subject=episode, at=now)
        if not met and not deadlines.deadline_exists(kind=SAFE_AND_WELL, subject=episode):
            # Learnt of the return and the check together: the clock is opened and met at once,
            # so reports can still tell whether it was held within 24 hours.
            deadlines.deadline_open(kind=SAFE_AND_WELL, subject=episode, due_at=safe_and_well_due(episode.returned_at))
            deadlines.deadline_meet(kind=SAFE_AND_WELL, subject=episode, at=now)
    else:
        deadlines.deadline_open(kind=SAFE_AND_WELL, subject=episode, due_at=safe_and_well_due(episode.returned_at))


def _safe_and_well_breached(deadline, now) -> None:
    # Nothing to send: the coordinator's and the SPOC's home pages list overdue checks from
    # `due_at` live, so the list never depends on the sweep having run.
    logger.info("Safe-and-well check overdue for episode %s", deadline.subject_id)


deadlines.register_breach_handler(SAFE_AND_WELL, _safe_and_well_breached)
