"""Who may do what to an episode, by role (domain.md, 'People who use the system').

Pages ask these to decide which buttons to show and whether to answer 403. Whether a person may
see an episode at all is the access scope's question (Episode.objects.visible_to): out of scope
is a 404 before any of these is asked. The services hold their own guards where the guidance
makes a rule (only a manager reopens a closed episode).
"""

from django.db.models import Q, QuerySet

from organisations.models import Agency, LocalAuthority
from organisations.roles import CHILD_READERS, AgencyKind, Role

from .models import Episode, EpisodeState
from .scope import MATCH_DECIDERS, police_forces_of

# Roles that see episodes: the roles that see named children.
EPISODE_READERS = CHILD_READERS
# A police report is entered by the police SPOC or the hub (domain.md); managers may step in.
REPORT_RECORDERS = frozenset({Role.POLICE_SPOC, Role.COORDINATOR, Role.MANAGER})
# The hub's own record of a looked-after child away from placement, and who keeps it up to date.
AWAY_RECORDERS = frozenset({Role.COORDINATOR, Role.SOCIAL_WORKER, Role.MANAGER})
# Council roles that act on any police record of a child they may see.
HUB = frozenset({Role.COORDINATOR, Role.MANAGER})
# The police feed file upload page.
FEED_UPLOADERS = frozenset({Role.COORDINATOR, Role.MANAGER, Role.POLICE_SPOC})


def _is_spoc_of(user, episode: Episode) -> bool:
    return episode.force_id is not None and episode.force_id in police_forces_of(user)


def can_see_episodes(user) -> bool:
    return user.has_role(*EPISODE_READERS)


def can_record_report(user) -> bool:
    return user.has_role(*REPORT_RECORDERS)


def can_record_away(user) -> bool:
    return user.has_role(*AWAY_RECORDERS)


def can_upload_feed(user) -> bool:
    return user.has_role(*FEED_UPLOADERS)


def can_decide_matches(user) -> bool:
    return user.has_role(*MATCH_DECIDERS)


def can_record_return(user, episode: Episode) -> bool:
    """A police record's return: its force's SPOC or the hub. An away-from-placement record's
    return: whoever may record one."""
    if episode.is_police_record:
        return _is_spoc_of(user, episode) or user.has_role(*HUB)
    return user.has_role(*AWAY_RECORDERS)


def can_reclassify(user, episode: Episode) -> bool:
    """The police category and risk grade: the police record's force SPOC, or the hub."""
    return episode.is_police_record and (_is_spoc_of(user, episode) or user.has_role(*HUB))


def can_record_safe_and_well(user, episode: Episode) -> bool:
    """The police safe-and-well check after a return: the force's SPOC or a coordinator."""
    return _is_spoc_of(user, episode) or user.has_role(Role.COORDINATOR)


def can_close(user, episode: Episode) -> bool:
    return user.has_role(*HUB)


def can_reopen(user, episode: Episode) -> bool:
    """domain.md, 'Episodes': reopening is for a manager only, with a reason."""
    return user.has_role(Role.MANAGER)


# Each action by role (above), and the states in which its button shows. The pages answer 403
# on the role alone: a screen that went stale while the state changed gets the service's answer
# (a conflict, or why it cannot be done), not a refusal.
ACTIONS = {
    "record_return": (can_record_return, {EpisodeState.MISSING}),
    "reclassify": (can_reclassify, {EpisodeState.MISSING, EpisodeState.RETURNED}),
    "safe_and_well": (can_record_safe_and_well, {EpisodeState.RETURNED}),
    "close": (can_close, {EpisodeState.RETURNED}),
    "reopen": (can_reopen, {EpisodeState.CLOSED}),
}


def episode_actions(user, episode: Episode) -> dict[str, bool]:
    """Which of the episode page's buttons `user` sees, for the episode as it is now."""
    return {name: episode.state in states and allowed(user, episode) for name, (allowed, states) in ACTIONS.items()}


def recordable_forces(user) -> QuerySet[Agency]:
    """The forces whose reports `user` may record by hand: a SPOC's own forces; for the hub, any
    force covering an authority their council serves."""
    council_authorities = LocalAuthority.objects.filter(
        agencies__memberships__user=user,
        agencies__memberships__active=True,
        agencies__memberships__role__in=HUB,
        agencies__kind=AgencyKind.CHILDRENS_SERVICES,
    )
    return (
        Agency.objects.filter(kind=AgencyKind.POLICE)
        .filter(Q(pk__in=police_forces_of(user)) | Q(local_authorities__in=council_authorities))
        .exclude(code="")
        .distinct()
        .order_by("name")
    )


def report_refusal(user, force: Agency, local_authority: LocalAuthority) -> tuple[str, str] | None:
    """Whose police records a person may send, through any door (the form, the upload, the API):
    a police SPOC their own force's; a hub coordinator or manager those of the local authorities
    their council serves. Returns (column, why not), or None when they may."""
    forces = police_forces_of(user)
    if force.pk in forces:
        return None
    for membership in user.active_memberships():
        if (
            membership.role in HUB
            and membership.agency.kind == AgencyKind.CHILDRENS_SERVICES
            and membership.agency.local_authorities.filter(pk=local_authority.pk).exists()
        ):
            return None
    if forces:
        return "force", f"is {force.code}: you can send records for your own force only"
    return "local_authority", f"is {local_authority}: not a local authority your council serves"


def recordable_authorities(user) -> QuerySet[LocalAuthority]:
    """The local authorities `user` may record a report in: those their agencies serve."""
    return LocalAuthority.objects.filter(
        agencies__memberships__user=user, agencies__memberships__active=True
    ).distinct()
