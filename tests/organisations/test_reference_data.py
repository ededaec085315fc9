"""The reference data loaded by organisations/migrations/0002_reference_data.py."""

import importlib
import re

import pytest
from django.apps import apps as django_apps

from organisations.models import Agency, LocalAuthority
from organisations.roles import AgencyKind

reference_data = importlib.import_module("organisations.migrations.0002_reference_data")

ONS_CODE = re.compile(r"^E(06|08|09|10)\d{6}$")
REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}
WELSH_FORCES = {"DPP", "GWENT", "NWP", "SWP"}


def police_forces():
    return Agency.objects.filter(kind=AgencyKind.POLICE)


@pytest.mark.django_db
def test_there_are_153_local_authorities():
    assert LocalAuthority.objects.count() == 153


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "ons_code"),
    [
        ("Manchester", "E08000003"),
        ("Birmingham", "E08000025"),
        ("Wigan", "E08000010"),
        ("Stockport", "E08000007"),
        ("Bolton", "E08000001"),
        ("Cumberland", "E06000063"),
        ("Westmorland and Furness", "E06000064"),
        ("North Yorkshire", "E06000065"),
        ("Somerset", "E06000066"),
        ("City of London", "E09000001"),
        ("Isles of Scilly", "E06000053"),
    ],
)
def test_known_local_authorities_have_the_right_ons_code(name, ons_code):
    assert LocalAuthority.objects.get(name=name).ons_code == ons_code


@pytest.mark.django_db
def test_abolished_county_codes_are_gone():
    # Cumbria, North Yorkshire and Somerset county councils (April 2023), Northamptonshire (2021).
    gone = {"E10000006", "E10000023", "E10000027", "E10000021"}
    assert not LocalAuthority.objects.filter(ons_code__in=gone).exists()


@pytest.mark.django_db
def test_ons_codes_are_unique_and_well_formed():
    codes = list(LocalAuthority.objects.values_list("ons_code", flat=True))
    assert len(codes) == len(set(codes))
    assert [code for code in codes if not ONS_CODE.match(code)] == []


@pytest.mark.django_db
def test_every_local_authority_is_in_one_of_the_nine_regions():
    assert set(LocalAuthority.objects.values_list("region", flat=True)) == REGIONS


@pytest.mark.django_db
def test_there_are_43_police_forces_with_unique_short_codes():
    codes = list(police_forces().values_list("code", flat=True))
    assert len(codes) == 43
    assert len(set(codes)) == 43
    assert all(code and code == code.upper() and len(code) <= 10 for code in codes)


@pytest.mark.django_db
def test_gmp_covers_manchester_wigan_stockport_and_bolton():
    gmp = police_forces().get(code="GMP")
    assert gmp.name == "Greater Manchester Police"
    covered = set(gmp.local_authorities.values_list("name", flat=True))
    assert {"Manchester", "Wigan", "Stockport", "Bolton"} <= covered
    assert len(covered) == 10


@pytest.mark.django_db
def test_wmp_covers_birmingham():
    wmp = police_forces().get(code="WMP")
    assert wmp.name == "West Midlands Police"
    assert wmp.local_authorities.filter(ons_code="E08000025").exists()


@pytest.mark.django_db
def test_london_is_split_between_the_met_and_city_of_london_police():
    assert list(police_forces().get(code="COLP").local_authorities.values_list("ons_code", flat=True)) == ["E09000001"]
    assert police_forces().get(code="MPS").local_authorities.count() == 32


@pytest.mark.django_db
def test_welsh_forces_cover_no_english_authority():
    welsh = police_forces().filter(code__in=WELSH_FORCES)
    assert welsh.count() == 4
    assert all(force.local_authorities.count() == 0 for force in welsh)


@pytest.mark.django_db
def test_every_local_authority_is_covered_by_exactly_one_police_force():
    for authority in LocalAuthority.objects.prefetch_related("agencies"):
        forces = [agency.code for agency in authority.agencies.all() if agency.kind == AgencyKind.POLICE]
        assert len(forces) == 1, f"{authority.name} ({authority.ons_code}) is covered by {forces}"


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    def snapshot():
        return (
            LocalAuthority.objects.count(),
            police_forces().count(),
            Agency.local_authorities.through.objects.count(),
            sorted(police_forces().values_list("code", "name")),
        )

    before = snapshot()
    reference_data.load_reference_data(django_apps)
    reference_data.load_reference_data(django_apps)
    assert snapshot() == before
    assert before[:3] == (153, 43, 153)
