"""Demo organisations and one person for every role. Synthetic: no real people."""

from dataclasses import dataclass

from django.db import transaction

from .models import Agency, LocalAuthority, Membership, User
from .roles import AgencyKind, Role

# Long enough for the password rules; the same for every demo account and printed by seed_demo.
DEMO_PASSWORD = "Kettle-Lantern-Orchard-42"

# (ONS code, council agency name)
DEMO_COUNCILS = [
    ("E08000003", "Manchester City Council children's services"),
    ("E08000007", "Stockport Council children's services"),
    ("E08000010", "Wigan Council children's services"),
]
DEMO_CHARITY = "Safe Steps Return Interview Service"
# A team serving every demo council: its dashboard figures are counted ahead by Celery beat.
DEMO_REGION = "Greater Manchester missing from home partnership"
DEMO_POLICE_CODE = "GMP"

# (email, full name, agency key, role); agency key "police", "charity", "region", or a council's
# ONS code.
DEMO_PEOPLE = [
    ("coordinator@demo.homeward.invalid", "Aisha Coleman", "E08000003", Role.COORDINATOR),
    ("coordinator.stockport@demo.homeward.invalid", "Gareth Pryce", "E08000007", Role.COORDINATOR),
    ("rhi.worker@demo.homeward.invalid", "Bethany Okafor", "charity", Role.RHI_WORKER),
    ("social.worker@demo.homeward.invalid", "Daniel Hughes", "E08000003", Role.SOCIAL_WORKER),
    ("manager@demo.homeward.invalid", "Priya Sharma", "E08000003", Role.MANAGER),
    ("police.spoc@demo.homeward.invalid", "Sgt Mark Riley", "police", Role.POLICE_SPOC),
    ("iro@demo.homeward.invalid", "Helen Ashworth", "E08000003", Role.IRO),
    ("cme.officer@demo.homeward.invalid", "Tom Whitaker", "E08000003", Role.CME_OFFICER),
    ("analyst@demo.homeward.invalid", "Grace Lin", "E08000003", Role.ANALYST),
    ("regional.analyst@demo.homeward.invalid", "Owen Mercer", "region", Role.ANALYST),
    ("dpo@demo.homeward.invalid", "Nadia Brook", "E08000003", Role.DATA_PROTECTION_OFFICER),
    ("admin@demo.homeward.invalid", "Sam Administrator", "E08000003", Role.ADMINISTRATOR),
]


@dataclass
class DemoOrganisations:
    councils: dict[str, Agency]
    charity: Agency
    police: Agency
    people: dict[str, User]


@transaction.atomic
def seed_organisations() -> DemoOrganisations:
    """Create (or find again) the demo agencies and people; running it twice changes nothing."""
    councils = {}
    for ons_code, name in DEMO_COUNCILS:
        agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": AgencyKind.CHILDRENS_SERVICES})
        agency.local_authorities.add(LocalAuthority.objects.get(ons_code=ons_code))
        councils[ons_code] = agency
    charity, _ = Agency.objects.get_or_create(name=DEMO_CHARITY, defaults={"kind": AgencyKind.VOLUNTARY})
    charity.local_authorities.add(*LocalAuthority.objects.filter(ons_code__in=["E08000003", "E08000007"]))
    police = Agency.objects.get(kind=AgencyKind.POLICE, code=DEMO_POLICE_CODE)
    region, _ = Agency.objects.get_or_create(name=DEMO_REGION, defaults={"kind": AgencyKind.CHILDRENS_SERVICES})
    region.local_authorities.add(*LocalAuthority.objects.filter(ons_code__in=[code for code, _ in DEMO_COUNCILS]))
    agencies = {**councils, "charity": charity, "police": police, "region": region}

    people = {}
    for email, full_name, agency_key, role in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            is_admin = role == Role.ADMINISTRATOR
            user = User.objects.create_user(
                email, DEMO_PASSWORD, full_name=full_name, is_staff=is_admin, is_superuser=is_admin
            )
        Membership.objects.get_or_create(user=user, agency=agencies[agency_key], role=role)
        people[email] = user
    return DemoOrganisations(councils=councils, charity=charity, police=police, people=people)
