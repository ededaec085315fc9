"""Reading return interviews: always through the user's scope."""

import datetime

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from missing.homelists import HomeList, Wanted
from organisations.roles import Role

from .models import OPEN_STATUSES, InterviewRecord, RecordState, ReturnInterview, Status


def interview_list(*, user, status: str = "") -> QuerySet[ReturnInterview]:
    interviews = ReturnInterview.objects.visible_to(user).select_related("child", "worker")
    if status == "open":
        interviews = interviews.filter(status__in=OPEN_STATUSES)
    elif status:
        interviews = interviews.filter(status=status)
    return interviews.order_by("due_at", "pk")


def caseload(*, user, now) -> QuerySet[ReturnInterview]:
    """The worker's open interviews by time left: overdue first (the longest overdue at the top),
    then the soonest due."""
    # Security battery Z7: through the scope, so an interview of a child restricted from the
    # worker (allocated before the restriction) leaves their caseload and home page.
    return (
        ReturnInterview.objects.visible_to(user)
        .filter(worker=user, status__in=OPEN_STATUSES)
        .select_related("child")
        .annotate(overdue=Case(When(due_at__lte=now, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("overdue", "due_at", "pk")
    )


def interview_for_user(*, user, pk: int) -> ReturnInterview:
    return (
        ReturnInterview.objects.visible_to(user)
        .select_related("child", "child__social_worker", "child__iro", "worker", "allocated_by", "local_authority")
        .get(pk=pk)
    )


def unread_notifications(user) -> QuerySet:
    return user.notifications.filter(read_at__isnull=True)


# --- The interview work on each role's home page ------------------------------------------------

# How far ahead "due soon" looks.
DUE_SOON = datetime.timedelta(hours=24)


def _open_in_scope(user):
    """The open interviews in `user`'s scope. Which they are is read from an index of the open
    interviews' children and workers alone, before any interview's row: filtered by the scope
    row by row, PostgreSQL read every open interview in England (docs/benchmarks.md)."""
    in_scope = ReturnInterview.objects.visible_to(user).filter(status__in=OPEN_STATUSES).order_by().values("pk")
    return ReturnInterview.objects.filter(pk__in=in_scope).select_related("child", "worker")


def home_work(*, user, now: datetime.datetime) -> dict:
    """What each role has to do about return interviews today, for its home page (all within the
    user's scope): the hub allocates and watches the clocks, a manager authorises and hears of
    breaches, a worker works their caseload, a social worker visits after a return."""
    from .permissions import can_have_caseload, can_list_interviews

    work: dict = {}
    if can_list_interviews(user):
        soonest = ("due_at", "pk")
        lists = {
            "interviews_breached": Wanted(Q(due_at__lte=now), soonest),
            "interviews_due_soon": Wanted(Q(due_at__gt=now, due_at__lte=now + DUE_SOON), soonest),
        }
        if user.has_role(Role.COORDINATOR):
            lists["interviews_to_allocate"] = Wanted(Q(status=Status.AWAITING_ALLOCATION), soonest)
        work.update(HomeList.several(_open_in_scope(user), lists))
        if user.has_role(Role.MANAGER):
            work["records_to_authorise"] = HomeList.of(
                InterviewRecord.objects.filter(
                    state=RecordState.SUBMITTED, interview__in=ReturnInterview.objects.visible_to(user)
                )
                .exclude(submitted_by=user)
                .select_related("interview__child", "submitted_by")
                .order_by("submitted_at", "pk")
            )
    if can_have_caseload(user):
        work["caseload_soon"] = HomeList.of(caseload(user=user, now=now).filter(due_at__lte=now + DUE_SOON))
    if user.has_role(Role.SOCIAL_WORKER):
        work["visits_due"] = HomeList.of(social_worker_visits_due(user=user))
    return work


def social_worker_visits_due(*, user) -> QuerySet:
    """Returns of the children allocated to `user` as social worker whose 24-hour visit clock
    runs or has run out, with no visit recorded yet; the soonest due first."""
    from django.contrib.contenttypes.models import ContentType

    from deadlines.models import Deadline, DeadlineState
    from episodes.models import Episode

    from .services import SOCIAL_WORKER_VISIT

    clocks = Deadline.objects.filter(
        kind=SOCIAL_WORKER_VISIT,
        state__in=[DeadlineState.OPEN, DeadlineState.BREACHED],
        subject_type=ContentType.objects.get_for_model(Episode),
        subject_id=OuterRef("pk"),
    )
    return (
        Episode.objects.visible_to(user)
        .filter(child__social_worker=user, social_worker_visit__isnull=True)
        .annotate(visit_due=Subquery(clocks.values("due_at")[:1]))
        .filter(visit_due__isnull=False)
        .select_related("child")
        .order_by("visit_due", "pk")
    )
