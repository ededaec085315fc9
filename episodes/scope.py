"""Who may see which episode and which record waiting to be confirmed.

An episode is seen by whoever may see its child (children/scope.py). Police see the children
with an episode in their force: that rule is registered here as a scope extension, so the
children app never imports episodes.
"""

from django.db import models

from organisations.roles import AgencyKind, Role

# Roles that decide which child a held police record is about (domain.md: the hub matches
# reports to children); managers may step in.
MATCH_DECIDERS = frozenset({Role.COORDINATOR, Role.MANAGER})


def police_forces_of(user) -> list[int]:
    """Ids of the police forces in which `user` is a missing-person SPOC."""
    return [
        m.agency_id
        for m in user.active_memberships()
        if m.role == Role.POLICE_SPOC and m.agency.kind == AgencyKind.POLICE
    ]


def police_children_scope(user) -> models.QuerySet | None:
    """Scope extension for children: those with an episode recorded by a force the user works
    in as a SPOC."""
    from .models import Episode

    forces = police_forces_of(user)
    if not forces:
        return None
    # Each child once: a force's episodes name the same children many times over.
    return Episode.objects.filter(force_id__in=forces).values("child_id").distinct()


class EpisodeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EpisodeQuerySet":
        """The episodes of the children `user` may see; anything else is a 404."""
        from children.scope import of_visible_children

        return self.filter(of_visible_children(user, using=self.db))


class HeldReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HeldReportQuerySet":
        """Held police records of the local authorities the user's council serves, for the
        roles that decide them."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        authority_ids = set()
        for membership in user.active_memberships():
            if membership.role in MATCH_DECIDERS and membership.agency.kind == AgencyKind.CHILDRENS_SERVICES:
                authority_ids.update(membership.agency.authority_ids())
        return self.filter(local_authority_id__in=authority_ids)
