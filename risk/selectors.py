"""Reading escalations: always through the user's scope (the child's)."""

from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, Subquery, When

from .models import Escalation, EscalationRecipient


def with_recipients(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    return escalations.select_related("child", "episode").prefetch_related(
        Prefetch("recipients", queryset=EscalationRecipient.objects.select_related("user"))
    )


def escalations_to_acknowledge(user) -> QuerySet[Escalation]:
    """Escalations sent to `user` that they have not acknowledged, newest first (for the home page)."""
    return (
        Escalation.objects.visible_to(user)
        .filter(recipients__user=user, recipients__acknowledged_at__isnull=True)
        .select_related("child", "episode")
        .order_by("-fired_at", "-pk")
    )


def escalation_list(*, user, to_acknowledge: bool = False) -> QuerySet[Escalation]:
    escalations = Escalation.objects.visible_to(user)
    if to_acknowledge:
        escalations = escalations.filter(recipients__user=user, recipients__acknowledged_at__isnull=True)
    return escalations.select_related("child", "episode").order_by("-fired_at", "-pk")


def escalation_for_user(*, user, pk: int) -> Escalation:
    return with_recipients(Escalation.objects.visible_to(user)).get(pk=pk)


def escalations_of(*, user, child=None, episode=None) -> QuerySet[Escalation]:
    """A child's or an episode's escalations, newest first, with the reader's acknowledged_at
    (the child is already in the reader's scope)."""
    escalations = (
        Escalation.objects.filter(episode=episode) if episode is not None else Escalation.objects.filter(child=child)
    )
    return with_acknowledged_at(escalations.order_by("-fired_at", "-pk"), user)


def with_acknowledged_at(escalations: QuerySet[Escalation], user) -> QuerySet[Escalation]:
    """Annotate `acknowledged_at`, in the same query: the reader's own acknowledgement when it
    was sent to them, else the first acknowledgement by anyone it was sent to."""
    recipients = EscalationRecipient.objects.filter(escalation=OuterRef("pk"))
    own = recipients.filter(user=user).values("acknowledged_at")[:1]
    first = recipients.filter(acknowledged_at__isnull=False).order_by("acknowledged_at").values("acknowledged_at")[:1]
    return escalations.annotate(
        acknowledged_at=Case(When(Exists(recipients.filter(user=user)), then=Subquery(own)), default=Subquery(first))
    )


def acknowledged_at_for(escalation: Escalation, user):
    """The reader's own acknowledgement when it was sent to them, else the first by anyone."""
    recipients = list(escalation.recipients.all())
    own = next((r for r in recipients if r.user_id == user.pk), None)
    if own is not None:
        return own.acknowledged_at
    times = [r.acknowledged_at for r in recipients if r.acknowledged_at]
    return min(times) if times else None
