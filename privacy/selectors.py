"""Reading the access log: who viewed a child's record, and what a person viewed; and what was
shared outside the agency that owns a record."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from children.models import Child
from organisations.models import Membership
from organisations.roles import Role

from .models import AccessLogEntry, SharingRecord


def viewers_of(child_id: int) -> QuerySet[AccessLogEntry]:
    """Every read of the child's data, newest first (index access_child_idx)."""
    return AccessLogEntry.objects.filter(child_id=child_id).select_related("user").order_by("-at", "-id")


def log_for_officer(*, officer, user_email: str = "", child_id: int | None = None) -> QuerySet[AccessLogEntry]:
    """What a data protection officer may search: reads of the children of the local authorities
    their councils serve, and every read by the people of their own agencies."""
    agencies = [m.agency for m in officer.active_memberships() if m.role == Role.DATA_PROTECTION_OFFICER]
    authorities = {a.pk for agency in agencies for a in agency.local_authorities.all()}
    children = Child.objects.filter(
        Q(responsible_authority_id__in=authorities) | Q(host_authority_id__in=authorities)
    ).values("pk")
    people = Membership.objects.filter(agency__in=agencies).values("user_id")
    entries = AccessLogEntry.objects.filter(Q(child_id__in=children) | Q(user_id__in=people))
    if user_email:
        entries = entries.filter(user__email__iexact=user_email.strip())
    if child_id is not None:
        entries = entries.filter(child_id=child_id)
    return entries.select_related("user").order_by("-at", "-id")


def shares_of(subject) -> list[SharingRecord]:
    """What was shared of `subject` outside its agency, newest first (the subject is already in
    the reader's scope)."""
    return list(
        SharingRecord.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        ).select_related("to_agency", "agreement", "shared_by")
    )
