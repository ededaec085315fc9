"""The fields the SSDA903 return's Header table needs: DfE ethnicity code, UPN and mother."""

import pytest
from django.urls import reverse

from children.models import Child

pytestmark = pytest.mark.django_db


def new_child(**fields) -> dict:
    data = {
        "given_name": "Maya",
        "family_name": "Return",
        "date_of_birth": "2010-04-02",
        "gender": "female",
        "legal_status": "looked_after_s20",
    }
    data.update(fields)
    return data


def test_the_dfe_fields_are_saved_shown_and_kept_in_history(client, world):
    client.force_login(world.coordinator_a)
    response = client.post(
        reverse("children:create"),
        new_child(
            responsible_authority=world.la_a.pk,
            ethnicity_code="MWBA",
            upn=" a123456789012 ",
            mother="true",
            mother_child_dob="2026-01-20",
        ),
    )
    child = Child.objects.get(family_name="Return")
    assert response.status_code == 302
    assert (child.ethnicity_code, child.upn, child.mother) == ("MWBA", "A123456789012", True)
    assert child.history.get().upn == "A123456789012"
    page = client.get(child.get_absolute_url()).content.decode()
    assert "White and Black African (MWBA)" in page and "A123456789012" in page
    assert "her child was born on 20 January 2026" in page


@pytest.mark.parametrize("upn", ["I123456789012", "A12345678901", "UN6", "A1234567890X2"])
def test_a_upn_of_the_wrong_shape_is_refused_with_what_to_enter(client, world, upn):
    client.force_login(world.coordinator_a)
    response = client.post(reverse("children:create"), new_child(responsible_authority=world.la_a.pk, upn=upn))
    assert "Enter a Unique Pupil Number of 13 characters, like A123456789012" in response.content.decode()
    assert not Child.objects.filter(family_name="Return").exists()


def test_the_unknown_upn_codes_are_accepted(client, world):
    client.force_login(world.coordinator_a)
    client.post(reverse("children:create"), new_child(responsible_authority=world.la_a.pk, upn="UN2"))
    assert Child.objects.get(family_name="Return").upn == "UN2"


def test_a_boy_cannot_be_recorded_as_a_mother_nor_a_child_born_before_the_mother(client, world):
    client.force_login(world.coordinator_a)
    boy = client.post(
        reverse("children:create"), new_child(responsible_authority=world.la_a.pk, gender="male", mother="true")
    )
    assert "Only a girl or young woman can be recorded as a mother." in boy.content.decode()
    early = client.post(
        reverse("children:create"),
        new_child(responsible_authority=world.la_a.pk, mother="true", mother_child_dob="2009-01-01"),
    )
    assert "The mother&#x27;s child must be born after the mother." in early.content.decode()
    assert not Child.objects.filter(family_name="Return").exists()
