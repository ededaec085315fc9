"""A few hundred synthetic children with realistic names, ages, legal statuses and placements."""

import datetime
import random

from django.db import transaction
from faker import Faker

from organisations.models import LocalAuthority, User

from . import services
from .models import VULNERABILITY_FLAGS, Child, Establishment, Gender, LegalStatus, PlacementType

DEMO_ESTABLISHMENTS = [
    ("Oakfield House", PlacementType.RESIDENTIAL, "E08000003", "M20 4QT"),
    ("Birchwood Lodge", PlacementType.RESIDENTIAL, "E08000003", "M9 8AB"),
    ("The Willows", PlacementType.RESIDENTIAL, "E08000007", "SK3 0RJ"),
    ("Heaton Close", PlacementType.SEMI_INDEPENDENT, "E08000003", "M19 2LP"),
    ("Northern Foster Partnership", PlacementType.FOSTER, "E08000003", "M1 3HU"),
    ("Pennine Foster Care", PlacementType.FOSTER, "E08000007", "SK1 1XE"),
    ("Ashgrove Children's Home", PlacementType.RESIDENTIAL, "E08000010", "WN1 2DA"),
    ("Moorside Secure Unit", PlacementType.SECURE, "E08000010", "WN5 9QT"),
]

# Mostly teenagers, as in the councils' data; weights for ages 8 to 17.
AGE_WEIGHTS = {8: 1, 9: 1, 10: 2, 11: 3, 12: 6, 13: 10, 14: 16, 15: 22, 16: 22, 17: 17}
STATUS_WEIGHTS = {
    LegalStatus.NONE: 30,
    LegalStatus.EARLY_HELP: 10,
    LegalStatus.CHILD_IN_NEED: 15,
    LegalStatus.CHILD_PROTECTION: 8,
    LegalStatus.LOOKED_AFTER_S20: 12,
    LegalStatus.LOOKED_AFTER_CARE_ORDER: 20,
    LegalStatus.CARE_LEAVER: 5,
}
ETHNICITIES = [
    "White British",
    "White British",
    "White British",
    "White and Black Caribbean",
    "Pakistani",
    "Black African",
    "Bangladeshi",
    "White Irish",
    "Any other White background",
    "Chinese",
    "Indian",
    "White and Asian",
    "Gypsy or Irish Traveller",
]
PLACES = [
    "Piccadilly Gardens",
    "the Arndale Centre",
    "Platt Fields Park",
    "Stockport bus station",
    "a friend's house in Longsight",
    "the canal towpath",
    "Wigan Pier",
    "Trafford Centre",
]


def _description(rng: random.Random) -> str:
    build = rng.choice(["Slim", "Medium", "Stocky"])
    hair = rng.choice(["short dark", "long brown", "blonde", "red", "black braided"])
    return f"{build} build, about {rng.randint(140, 185)} cm, {hair} hair"


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@transaction.atomic
def seed_children(*, count: int, social_worker: User, iro: User, seed: int = 2026) -> int:
    """Create `count` children across the demo authorities; returns how many were created."""
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    authorities = {
        la.ons_code: la for la in LocalAuthority.objects.filter(ons_code__in=["E08000003", "E08000007", "E08000010"])
    }
    establishments = []
    for name, kind, ons_code, postcode in DEMO_ESTABLISHMENTS:
        establishment, _ = Establishment.objects.get_or_create(
            name=name, defaults={"placement_type": kind, "local_authority": authorities[ons_code], "postcode": postcode}
        )
        establishments.append(establishment)
    today = datetime.date.today()
    for _ in range(count):
        gender = rng.choices([Gender.MALE, Gender.FEMALE, Gender.OTHER], weights=[48, 50, 2])[0]
        given = fake.first_name_female() if gender == Gender.FEMALE else fake.first_name_male()
        status = _weighted(rng, STATUS_WEIGHTS)
        age = 17 if status == LegalStatus.CARE_LEAVER else _weighted(rng, AGE_WEIGHTS)
        dob = today - datetime.timedelta(days=age * 365 + rng.randint(0, 360))
        responsible = authorities[rng.choices(list(authorities), weights=[60, 25, 15])[0]]
        fields = {
            "given_name": given,
            "family_name": fake.last_name(),
            "date_of_birth": dob,
            "date_of_birth_estimated": rng.random() < 0.03,
            "gender": gender,
            "ethnicity": rng.choice(ETHNICITIES),
            "address": fake.street_address(),
            "postcode": fake.postcode(),
            "legal_status": status,
            "legal_status_since": today - datetime.timedelta(days=rng.randint(30, 1500))
            if status != LegalStatus.NONE
            else None,
            "responsible_authority": responsible,
            "physical_description": _description(rng),
            "usual_clothing": rng.choice(
                ["Black puffer jacket, grey joggers", "School uniform", "Red hoodie, trainers", "Denim jacket"]
            ),
            "places_frequented": ", ".join(rng.sample(PLACES, 2)),
        }
        for flag, _label in VULNERABILITY_FLAGS:
            fields[flag] = rng.random() < 0.08 and (flag != "flag_fgm" or gender == Gender.FEMALE)
        if status in (LegalStatus.LOOKED_AFTER_S20, LegalStatus.LOOKED_AFTER_CARE_ORDER, LegalStatus.CARE_LEAVER):
            establishment = rng.choice(establishments)
            placed_days_ago = rng.randint(10, 900)
            fields.update(
                placement_type=establishment.placement_type,
                establishment=establishment,
                placement_start=today - datetime.timedelta(days=placed_days_ago),
                # The newest placements were made in an emergency: their risk assessments are due.
                placement_emergency=placed_days_ago < 30,
            )
            if establishment.local_authority != responsible:
                fields["host_authority"] = establishment.local_authority
            if responsible.ons_code == "E08000003":
                fields["iro"] = iro
        if (
            status not in (LegalStatus.NONE, LegalStatus.EARLY_HELP)
            and responsible.ons_code == "E08000003"
            and rng.random() < 0.3
        ):
            fields["social_worker"] = social_worker
        aliases = [fake.first_name()] if rng.random() < 0.1 else []
        services.child_create(by=None, reason="Demo data", aliases=aliases, **fields)
    return count


def demo_children_exist() -> bool:
    return Child.objects.exists()
