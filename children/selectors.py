"""Reading children: always through the user's scope."""

import datetime

from django.db.models import Q, QuerySet

from organisations.roles import Role

from .models import Child
from .services import search_key


def child_search(*, user, query: str = "", date_of_birth: datetime.date | None = None) -> QuerySet[Child]:
    """Children the user may see whose names or aliases contain every word of `query`
    (ignoring case, accents, hyphens and apostrophes), optionally born on `date_of_birth`."""
    children = Child.objects.visible_to(user).select_related("responsible_authority", "establishment")
    for word in search_key(query).split():
        children = children.filter(search_text__contains=word)
    if date_of_birth:
        children = children.filter(date_of_birth=date_of_birth)
    return children


def child_for_user(*, user, pk: int) -> Child:
    """One child, or Child.DoesNotExist when it does not exist or is out of the user's scope."""
    return (
        Child.objects.visible_to(user)
        .select_related("responsible_authority", "host_authority", "establishment", "social_worker", "iro")
        .get(pk=pk)
    )


def children_allocated_to(user) -> QuerySet[Child]:
    """The children whose social worker or IRO `user` is. Only those roles are allocated children
    (children/forms.py offers no one else), so for anyone else nothing is read."""
    if not user.has_role(Role.SOCIAL_WORKER, Role.IRO):
        return Child.objects.none()
    return Child.objects.visible_to(user).filter(Q(social_worker=user) | Q(iro=user))
