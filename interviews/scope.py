"""Who may see which return interview.

Council, health and education staff see the interviews of the children of the local authorities
their agency serves. A return interview worker of a charity sees the interviews allocated to them
(and, through the scope extension below, those children). A police SPOC sees an interview only
once its record is authorised and shared, and only for an episode in their own force.
"""

from django.db import models
from django.db.models import Q

from children.scope import authority_wide_ids, children_of_authorities, hidden_from
from episodes.scope import police_forces_of


def allocated_children_scope(user) -> models.QuerySet | None:
    """Scope extension for children: a worker sees the children allocated to them."""
    from .models import ReturnInterview

    if not getattr(user, "is_authenticated", False):
        return None
    return ReturnInterview.objects.filter(worker=user).values("child_id")


class ReturnInterviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReturnInterviewQuerySet":
        """The interviews `user` may see; anything else is a 404 wherever it is asked for."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = Q(worker=user)
        authorities = authority_wide_ids(user)
        if authorities:
            # The children's ids read once (a hashed subquery), not a join to every child.
            scope |= Q(child__in=children_of_authorities(authorities))
        forces = police_forces_of(user)
        if forces:
            from .models import ReturnInterview

            covered = ReturnInterview.episodes.through.objects.filter(episode__force_id__in=forces)
            scope |= Q(record__state="authorised", pk__in=covered.values("returninterview_id"))
        interviews = self.filter(scope)
        # A restricted child's interviews are hidden as the child is (children/scope.py).
        hidden = hidden_from(user)
        if hidden is not None:
            from children.models import Child

            interviews = interviews.exclude(child__in=Child.objects.filter(hidden).values("pk"))
        return interviews
