"""Factories that build whole scenarios in a line, and the persona world of the security battery.

The world: local authorities LA-A (Manchester) and LA-B (Stockport); police forces F1 (GMP, which
covers LA-A) and F2 (WMP); a charity commissioned by LA-A; one user per role; children C1 (LA-A),
C3 (LA-B) and C4 (looked after by LA-B, placed in LA-A).
"""

import datetime
import importlib
import time
from dataclasses import dataclass

import factory
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from children import services as children_services
from children.models import Child, LegalStatus
from organisations.models import Agency, LocalAuthority, Membership, User
from organisations.roles import AgencyKind, Role
from reporting.models import PostcodeDistrict

PASSWORD = "Pelican-Harbour-Meadow-77"
fake = Faker("en_GB")


def ensure_reference_data() -> None:
    """Transactional tests (browser, concurrency) flush tables, taking the migration-loaded
    reference data with them; load it again when it is gone."""
    if not LocalAuthority.objects.exists():
        from django.apps import apps

        importlib.import_module("organisations.migrations.0002_reference_data").load_reference_data(apps)
        importlib.import_module("privacy.migrations.0007_retention").load_default_rules(apps)
    if not PostcodeDistrict.objects.exists():
        from django.apps import apps

        importlib.import_module("reporting.migrations.0003_postcode_district").load_bundled_districts(apps)


def authority(ons_code: str) -> LocalAuthority:
    ensure_reference_data()
    return LocalAuthority.objects.get(ons_code=ons_code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.CHILDRENS_SERVICES

    @factory.post_generation
    def serves(self, create, extracted, **kwargs):
        if extracted:
            self.local_authorities.add(*extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Give the user a TOTP authenticator unless mfa=False; the secret is kept on the user."""
        self.save()  # keeps the password set above
        if extracted is False:
            return
        self.totp_secret = generate_totp_secret()
        TOTP.activate(self, self.totp_secret)


TOTP_PERIOD = 30


def totp_code(user: User, at: datetime.datetime | None = None) -> str:
    """The code the user's authenticator app would show now (or at `at`)."""
    moment = (at or timezone.now()).timestamp()
    return format_hotp_value(hotp_value(user.totp_secret, int(moment // TOTP_PERIOD)))


def totp_code_to_type(user: User, *, used: str | None = None, seconds_to_type: float = 5) -> str:
    """The code a person would type: one with `seconds_to_type` left before it changes and not
    the code `used` already, waiting for the next code otherwise. The product accepts only the
    current code, and each code once: a code read at the end of its 30 seconds may have gone
    when the form arrives, and one just used is refused."""
    while True:
        left = TOTP_PERIOD - time.time() % TOTP_PERIOD
        code = totp_code(user)
        if left >= seconds_to_type and code != used:
            return code
        time.sleep(left + 0.1)


def person(role: str, agency: Agency, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


def make_child(*, responsible: LocalAuthority, by: User | None = None, **fields) -> Child:
    defaults = {
        "given_name": fake.first_name(),
        "family_name": fake.last_name(),
        "date_of_birth": timezone.localdate() - datetime.timedelta(days=15 * 365),
        "responsible_authority": responsible,
    }
    defaults.update(fields)
    return children_services.child_create(by=by, **defaults)


@dataclass
class World:
    la_a: LocalAuthority
    la_b: LocalAuthority
    council_a: Agency
    council_b: Agency
    charity: Agency
    force_f1: Agency
    force_f2: Agency
    coordinator_a: User
    coordinator_b: User
    social_worker_a: User
    manager_a: User
    rhi_worker: User
    police_f1: User
    police_f2: User
    analyst_a: User
    admin: User
    iro_a: User
    c1: Child
    c3: Child
    c4: Child


def build_world() -> World:
    la_a, la_b = authority("E08000003"), authority("E08000007")
    council_a = AgencyFactory(name="Manchester children's services", serves=[la_a])
    council_b = AgencyFactory(name="Stockport children's services", serves=[la_b])
    charity = AgencyFactory(name="Return interview charity", kind=AgencyKind.VOLUNTARY, serves=[la_a])
    force_f1 = Agency.objects.get(kind=AgencyKind.POLICE, code="GMP")
    force_f2 = Agency.objects.get(kind=AgencyKind.POLICE, code="WMP")
    social_worker_a = person(Role.SOCIAL_WORKER, council_a, full_name="Sophie Worker")
    world = World(
        la_a=la_a,
        la_b=la_b,
        council_a=council_a,
        council_b=council_b,
        charity=charity,
        force_f1=force_f1,
        force_f2=force_f2,
        coordinator_a=person(Role.COORDINATOR, council_a, full_name="Cora Ordinator"),
        coordinator_b=person(Role.COORDINATOR, council_b, full_name="Colin Stockport"),
        social_worker_a=social_worker_a,
        manager_a=person(Role.MANAGER, council_a, full_name="Mandy Manager"),
        rhi_worker=person(Role.RHI_WORKER, charity, full_name="Rhian Worker"),
        police_f1=person(Role.POLICE_SPOC, force_f1, full_name="Percy Constable"),
        police_f2=person(Role.POLICE_SPOC, force_f2, full_name="Wendy Midlands"),
        analyst_a=person(Role.ANALYST, council_a, full_name="Anna Lyst"),
        admin=person(Role.ADMINISTRATOR, council_a, full_name="Adam Min", is_staff=True, is_superuser=True),
        iro_a=person(Role.IRO, council_a, full_name="Ira Reviewer"),
        c1=make_child(
            responsible=la_a,
            given_name="Chloe",
            family_name="Ashdown",
            legal_status=LegalStatus.CHILD_IN_NEED,
            social_worker=social_worker_a,
        ),
        c3=make_child(responsible=la_b, given_name="Callum", family_name="Brennan"),
        c4=make_child(
            responsible=la_b,
            host_authority=la_a,
            given_name="Casey",
            family_name="Oduya",
            legal_status=LegalStatus.LOOKED_AFTER_CARE_ORDER,
        ),
    )
    return world


def report_row(**overrides) -> dict[str, str]:
    """A valid police feed row (column -> text), as a force would send it; override any column.

    Defaults: GMP record about a 14-year-old in Manchester (LA-A), last seen two hours ago,
    still missing.
    """
    now = timezone.localtime()
    row = {
        "force": "GMP",
        "force_reference": f"MP/{fake.unique.random_int(100000, 999999)}",
        "local_authority": "Manchester",
        "reported_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "category": "missing",
        "risk_level": "medium",
        "given_name": fake.first_name(),
        "family_name": fake.last_name(),
        "date_of_birth": (timezone.localdate() - datetime.timedelta(days=14 * 365 + 100)).isoformat(),
        "last_seen_at": (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def make_episode(*, child: Child | None = None, by: User | None = None, source_kind: str = "feed", **row):
    """An episode recorded through the intake, exactly as a police report would make it.

    With `child`, the report is about that child (no matching); otherwise it is matched like any
    other report. Returns the episode (or the held record when the match was uncertain).
    """
    from episodes.feed import Lookups, parse_report
    from episodes.services import IntakeSource, intake_reports

    if child is not None:
        row.setdefault("given_name", child.given_name)
        row.setdefault("family_name", child.family_name)
        if child.date_of_birth:
            row.setdefault("date_of_birth", child.date_of_birth.isoformat())
        row.setdefault("local_authority", (child.host_authority or child.responsible_authority).name)
    report, errors = parse_report(report_row(**row), line=1, lookups=Lookups())
    assert not errors, errors
    (outcome,) = intake_reports(reports=[report], source=IntakeSource(source_kind, "test report", by), child=child)
    return outcome.episode or outcome.held


def make_agreement(**fields):
    """An information sharing agreement, as the administrator keeps them."""
    from privacy.models import LawfulBasis, SharingAgreement

    defaults = {
        "name": "Greater Manchester missing from home information sharing agreement",
        "reference": "GM-MFH-ISA",
        "parties": "Greater Manchester Police; Manchester and Stockport councils",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
    }
    defaults.update(fields)
    return SharingAgreement.objects.create(**defaults)


def home_page(client, user) -> str:
    """The home page as `user` sees it (signed in with the test client)."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()
