"""The roles a person holds in an agency, and the kinds of agency (after domain.md, 'People')."""

from django.db import models


class AgencyKind(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Council children's services"
    POLICE = "police", "Police force"
    VOLUNTARY = "voluntary", "Voluntary organisation"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Missing hub coordinator"
    RHI_WORKER = "rhi_worker", "Return interview worker"
    SOCIAL_WORKER = "social_worker", "Social worker"
    MANAGER = "manager", "Manager"
    POLICE_SPOC = "police_spoc", "Police missing-person SPOC"
    IRO = "iro", "Independent reviewing officer"
    CME_OFFICER = "cme_officer", "Children missing education officer"
    ANALYST = "analyst", "Analyst"
    DATA_PROTECTION_OFFICER = "dpo", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that work with named children (everyone but analysts and administrators).
CHILD_READERS = frozenset(
    {
        Role.COORDINATOR,
        Role.SOCIAL_WORKER,
        Role.MANAGER,
        Role.IRO,
        Role.CME_OFFICER,
        Role.RHI_WORKER,
        Role.POLICE_SPOC,
    }
)
# Roles that may create and edit children's records.
CHILD_EDITORS = frozenset({Role.COORDINATOR, Role.SOCIAL_WORKER, Role.MANAGER, Role.CME_OFFICER})
# Roles that may read a child's change history (domain: managers authorise and review records).
HISTORY_READERS = frozenset({Role.MANAGER, Role.ADMINISTRATOR})
# Roles that see figures only, never a named child.
AGGREGATE_ONLY = frozenset({Role.ANALYST})
