"""Reading the access log (who viewed a child's record, and what a person viewed), a child's
restriction, and what was shared outside the agency that owns a record."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from children.models import Child
from children.scope import AUTHORITY_WIDE_AGENCIES
from organisations.models import Membership, User
from organisations.roles import CHILD_READERS, Role

from .models import AccessLogEntry, BreakGlassGrant, Restriction, RestrictionMember, SharingRecord


def viewers_of(
    child_id: int, *, since: datetime.datetime | None = None, until: datetime.datetime | None = None
) -> QuerySet[AccessLogEntry]:
    """Every read of the child's data (from `since`, before `until`), newest first (index
    access_child_idx)."""
    entries = _in_period(AccessLogEntry.objects.filter(child_id=child_id), since, until)
    return entries.select_related("user").order_by("-at", "-id")


def _in_period(entries, since, until):
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries


def log_for_officer(
    *,
    officer,
    user_email: str = "",
    child_id: int | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[AccessLogEntry]:
    """What a data protection officer may search: reads of the children of the local authorities
    their councils serve, and every read by the people of their own agencies."""
    agencies = _officer_agencies(officer)
    children = children_of_officer(officer).values("pk")
    people = Membership.objects.filter(agency__in=agencies).values("user_id")
    entries = AccessLogEntry.objects.filter(Q(child_id__in=children) | Q(user_id__in=people))
    if user_email:
        entries = entries.filter(user__email__iexact=user_email.strip())
    if child_id is not None:
        entries = entries.filter(child_id=child_id)
    return _in_period(entries, since, until).select_related("user").order_by("-at", "-id")


def _officer_agencies(officer) -> list:
    return [m.agency for m in officer.active_memberships() if m.role == Role.DATA_PROTECTION_OFFICER]


def children_of_officer(officer) -> QuerySet[Child]:
    """The children whose records a data protection officer answers for: those of the local
    authorities their councils serve (responsible or host), restricted ones included."""
    authorities = {a.pk for agency in _officer_agencies(officer) for a in agency.local_authorities.all()}
    return Child.objects.filter(Q(responsible_authority_id__in=authorities) | Q(host_authority_id__in=authorities))


def break_glass_to_review(officer) -> QuerySet[BreakGlassGrant]:
    """The break-glass uses on the officer's children not yet reviewed, oldest first (security
    battery Z8: every use is a review queue item)."""
    return (
        BreakGlassGrant.objects.filter(reviewed_at__isnull=True, child__in=children_of_officer(officer).values("pk"))
        .select_related("user", "child")
        .order_by("granted_at", "pk")
    )


def shares_of(subject) -> list[SharingRecord]:
    """What was shared of `subject` outside its agency, newest first (the subject is already in
    the reader's scope)."""
    return list(
        SharingRecord.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        ).select_related("to_agency", "agreement", "shared_by")
    )


def restriction_of(child) -> Restriction | None:
    """The restriction in force on the child, if any."""
    return (
        Restriction.objects.filter(child=child, lifted_at__isnull=True)
        .select_related("restricted_by")
        .prefetch_related(Prefetch("members", queryset=RestrictionMember.objects.select_related("user")))
        .first()
    )


def live_grant(*, user, child, now: datetime.datetime | None = None) -> BreakGlassGrant | None:
    """The person's emergency access to the child that has not yet ended, if any."""
    now = now or timezone.now()
    return (
        BreakGlassGrant.objects.filter(user=user, child=child, granted_at__lte=now, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )


def people_who_may_be_named(child) -> QuerySet[User]:
    """Who a manager may name on a child's restriction: the people of the councils, health and
    education agencies serving the child's authorities whose roles read children's records.
    (Naming narrows; it never widens anyone's scope.)"""
    authorities = [a for a in (child.responsible_authority_id, child.host_authority_id) if a]
    return (
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__role__in=CHILD_READERS,
            memberships__agency__kind__in=AUTHORITY_WIDE_AGENCIES,
            memberships__agency__local_authorities__in=authorities,
        )
        .distinct()
        .order_by("full_name", "pk")
    )
