"""Who may do what to a return interview, by role (domain.md, 'People who use the system').

Whether a person may see the interview at all is the scope's question (ReturnInterview.objects
.visible_to): out of scope is a 404 before any of these is asked; these answer 403.
"""

from children.scope import authority_wide_ids
from organisations.roles import AgencyKind, Role

from .models import RecordState, ReturnInterview

# Agencies whose return interview workers may be allocated: the council missing team or a
# commissioned charity (domain.md).
WORKER_AGENCIES = frozenset({AgencyKind.CHILDRENS_SERVICES, AgencyKind.VOLUNTARY})


def child_authorities(interview: ReturnInterview) -> set[int]:
    return _authorities_of(interview.child)


def _authorities_of(child) -> set[int]:
    return {a for a in (child.responsible_authority_id, child.host_authority_id) if a}


def _council_role_for_child(user, role: str, child) -> bool:
    if not user.has_role(role):
        return False
    serving = set()
    for membership in user.active_memberships():
        if membership.role == role and membership.agency.kind == AgencyKind.CHILDRENS_SERVICES:
            serving.update(membership.agency.authority_ids())
    return bool(serving & _authorities_of(child))


def _council_role(user, role: str, interview: ReturnInterview) -> bool:
    return _council_role_for_child(user, role, interview.child)


def can_coordinate(user, interview: ReturnInterview) -> bool:
    """Triage override and allocation: a coordinator of a council serving the child."""
    return _council_role(user, Role.COORDINATOR, interview)


def can_work_on(user, interview: ReturnInterview) -> bool:
    """Contact attempts, outcome and the record: the allocated worker, or the hub."""
    return interview.worker_id == user.pk or can_coordinate(user, interview)


def can_record_visit(user, child, interview: ReturnInterview | None) -> bool:
    """The social worker's visit after a return: the child's social worker, the hub, or the
    worker of the interview that covers the return."""
    if user.pk == child.social_worker_id:
        return True
    if interview is not None and can_work_on(user, interview):
        return True
    return _council_role_for_child(user, Role.COORDINATOR, child)


def can_authorise(user, interview: ReturnInterview) -> bool:
    """A manager of a council serving the child, who did not write the record."""
    record = getattr(interview, "record", None)
    return _council_role(user, Role.MANAGER, interview) and (record is None or record.submitted_by_id != user.pk)


def can_download(user, interview: ReturnInterview) -> bool:
    """Once authorised: the allocated social worker, the IRO, the police SPOC of a force whose
    episode it covers, and the manager who authorised it."""
    from episodes.scope import police_forces_of

    record = getattr(interview, "record", None)
    if record is None or record.state != RecordState.AUTHORISED:
        return False
    child = interview.child
    if user.pk in (child.social_worker_id, child.iro_id, record.authorised_by_id):
        return True
    forces = set(police_forces_of(user))
    return bool(forces) and any(e.force_id in forces for e in interview.episodes.all())


def can_list_interviews(user) -> bool:
    return user.has_role(Role.COORDINATOR, Role.MANAGER) and bool(authority_wide_ids(user))


def can_have_caseload(user) -> bool:
    return user.has_role(Role.RHI_WORKER)
