"""What happens when a return interview clock runs out (the sweep claims each deadline once, so
each handler runs once however many sweepers there are)."""

from deadlines import services as deadlines
from episodes.models import Episode
from missing.moments import uk_datetime

from . import services
from .models import OPEN_STATUSES, ReturnInterview


def _reminder_due(deadline, now) -> None:
    """48 hours after the return: remind the worker (the hub, while nobody is allocated)."""
    interview = (
        ReturnInterview.objects.select_related("worker", "child", "allocated_by")
        .filter(pk=deadline.subject_id, status__in=OPEN_STATUSES)
        .first()
    )
    if interview is None:
        return
    people = [interview.worker] if interview.worker_id else services.coordinators_for(interview)
    services.notify(
        users=people,
        message=f"Reminder: a return interview is due by {uk_datetime(interview.due_at)}",
        kind="reminder",
        interview=interview,
        now=now,
    )


def _interview_breached(deadline, now) -> None:
    """72 hours after the return without an outcome: the worker's manager and the coordinator
    are told (once: the sweep's claim guarantees it)."""
    interview = ReturnInterview.objects.select_related("worker", "child", "allocated_by").get(pk=deadline.subject_id)
    people = [*services.worker_managers_for(interview), *services.coordinators_for(interview)]
    services.notify(
        users=people,
        message="A return interview was not held within 72 hours of the return "
        f"(due {uk_datetime(interview.due_at)})",
        kind="breached",
        interview=interview,
        now=now,
    )


def _visit_overdue(deadline, now) -> None:
    """24 hours after a looked-after child's return with no visit recorded: tell the social
    worker and the hub."""
    episode = Episode.objects.select_related("child__social_worker").get(pk=deadline.subject_id)
    child = episode.child
    people = [
        child.social_worker,
        *services._council_people(
            {a for a in (child.responsible_authority_id, child.host_authority_id) if a}, "coordinator"
        ),
    ]
    interview = child.return_interviews.filter(episodes=episode).first()
    services.notify(
        users=people,
        message="A looked-after child was not visited by their social worker within 24 hours of returning",
        kind="visit_overdue",
        interview=interview,
        now=now,
    )


def register() -> None:
    deadlines.register_breach_handler(services.INTERVIEW_REMINDER, _reminder_due)
    deadlines.register_breach_handler(services.INTERVIEW_DUE, _interview_breached)
    deadlines.register_breach_handler(services.SOCIAL_WORKER_VISIT, _visit_overdue)
