"""Reading return interviews: always through the user's scope."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from .models import OPEN_STATUSES, ReturnInterview


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
    return (
        ReturnInterview.objects.filter(worker=user, status__in=OPEN_STATUSES)
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


def unread_count(user) -> int:
    return user.notifications.filter(read_at__isnull=True).count()
