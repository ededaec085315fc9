"""Finding, reading, adding and changing children's records through the pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from children.models import Child, ChildAlias
from tests.factories import make_child

pytestmark = pytest.mark.django_db


def test_search_finds_a_child_by_alias_ignoring_accents_and_case(client, world):
    make_child(responsible=world.la_a, given_name="Zoë", family_name="O’Brien", aliases=["Zee"])
    client.force_login(world.coordinator_a)

    by_name = client.get(reverse("children:list"), {"q": "zoe obrien"})
    by_alias = client.get(reverse("children:list"), {"q": "ZEE"})

    assert "O’Brien, Zoë" in by_name.content.decode()
    assert "O’Brien, Zoë" in by_alias.content.decode()


def test_search_by_date_of_birth(client, world):
    client.force_login(world.coordinator_a)
    response = client.get(reverse("children:list"), {"date_of_birth": world.c1.date_of_birth.isoformat()})
    assert "Ashdown, Chloe" in response.content.decode()


def test_search_with_a_bad_date_says_what_is_wrong(client, world):
    client.force_login(world.coordinator_a)
    response = client.get(reverse("children:list"), {"date_of_birth": "31/02/2011"})
    assert "Enter a valid date" in response.content.decode()


def test_coordinator_adds_a_child_and_history_names_them(client, world):
    client.force_login(world.coordinator_a)
    response = client.post(
        reverse("children:create"),
        {
            "given_name": "Łukasz",
            "family_name": "Nowak",
            "date_of_birth": "2011-03-27",
            "gender": "male",
            "legal_status": "none",
            "responsible_authority": world.la_a.pk,
            "aliases": "Luke\nŁuki",
        },
    )
    child = Child.objects.get(family_name="Nowak")
    assert response.status_code == 302 and response["Location"] == child.get_absolute_url()
    assert sorted(child.aliases.values_list("name", flat=True)) == ["Luke", "Łuki"]
    assert child.history.get().history_user == world.coordinator_a


def test_a_rejected_child_form_writes_nothing(client, world):
    client.force_login(world.coordinator_a)
    before = (Child.objects.count(), Child.history.count(), ChildAlias.objects.count())

    response = client.post(
        reverse("children:create"),
        {
            "given_name": "",
            "family_name": "Nowak",
            "date_of_birth": "2099-01-01",
            "gender": "male",
            "legal_status": "none",
            "responsible_authority": world.la_a.pk,
            "aliases": "Luke",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "This field is required" in body
    assert (Child.objects.count(), Child.history.count(), ChildAlias.objects.count()) == before


def test_a_child_aged_25_or_more_is_refused(client, world):
    client.force_login(world.coordinator_a)
    response = client.post(
        reverse("children:create"),
        {
            "given_name": "Ada",
            "family_name": "Old",
            "date_of_birth": "1990-01-01",
            "gender": "female",
            "legal_status": "none",
            "responsible_authority": world.la_a.pk,
        },
    )
    assert "the child must be under 25" in response.content.decode()
    assert not Child.objects.filter(family_name="Old").exists()


def test_a_coordinator_cannot_file_a_child_under_another_authority(client, world):
    client.force_login(world.coordinator_a)
    client.post(
        reverse("children:create"),
        {
            "given_name": "Ben",
            "family_name": "Elsewhere",
            "gender": "male",
            "legal_status": "none",
            "responsible_authority": world.la_b.pk,
        },
    )
    assert not Child.objects.filter(family_name="Elsewhere").exists()


def test_editing_keeps_the_old_value_and_the_reason_in_history(client, world):
    client.force_login(world.social_worker_a)
    child = world.c1
    form = client.get(reverse("children:edit", args=[child.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "photo"}
    data.update(
        family_name="Ashdown-Hale",
        reason="Surname changed after adoption order",
        responsible_authority=child.responsible_authority_id,
        social_worker=world.social_worker_a.pk,
    )
    response = client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 302, response.context["form"].errors

    latest = child.history.first()
    assert latest.family_name == "Ashdown-Hale"
    assert latest.prev_record.family_name == "Ashdown"
    assert latest.history_user == world.social_worker_a
    assert latest.history_change_reason == "Surname changed after adoption order"


def test_managers_see_the_history_and_social_workers_do_not(client, world):
    client.force_login(world.manager_a)
    assert "History of this record" in client.get(world.c1.get_absolute_url()).content.decode()
    client.force_login(world.social_worker_a)
    assert "History of this record" not in client.get(world.c1.get_absolute_url()).content.decode()


def test_police_and_analysts_cannot_add_children(client, world):
    for user in (world.police_f1, world.analyst_a):
        client.force_login(user)
        assert client.get(reverse("children:create")).status_code == 403


def _queries_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_child_list_queries_are_the_same_for_10_and_100_children(client, world):
    client.force_login(world.coordinator_a)
    client.get(reverse("home"))  # the first request records the session in the session list
    for n in range(8):
        make_child(responsible=world.la_a, family_name=f"Family{n}")
    with_10 = _queries_for(client, reverse("children:list"))
    for n in range(90):
        make_child(responsible=world.la_a, family_name=f"More{n}")
    with_100 = _queries_for(client, reverse("children:list"))
    # session, user, memberships with their authorities, count, page of children, the inbox's
    # unread count, the access log's rows (one insert for the whole page); the session is saved
    # only every SESSION_RENEW_SECONDS (tests/security/test_session_renewal.py)
    assert len(with_10) == len(with_100) == 7, "\n".join(with_100)


def _edit_data(client, child, **changes):
    form = client.get(reverse("children:edit", args=[child.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "photo"}
    data.update(responsible_authority=child.responsible_authority_id, **changes)
    return data


def test_the_host_authority_can_correct_a_placed_childs_record(client, world):
    """C4 is Stockport's child placed in Manchester: Manchester's coordinator keeps Stockport responsible."""
    client.force_login(world.coordinator_a)
    data = _edit_data(client, world.c4, phone="07700 900123", reason="New phone number from the placement")
    response = client.post(reverse("children:edit", args=[world.c4.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    world.c4.refresh_from_db()
    assert world.c4.phone == "07700 900123" and world.c4.responsible_authority == world.la_b


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(client, world, settings):
    client.force_login(world.coordinator_a)
    before = world.c1.history.count()
    data = _edit_data(client, world.c1, reason="Adding a photo")
    data["photo"] = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = client.post(reverse("children:edit", args=[world.c1.pk]), data)
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    world.c1.refresh_from_db()
    assert not world.c1.photo and world.c1.history.count() == before
    assert not (settings.MEDIA_ROOT / "photos").exists()


def test_an_oversized_photo_is_refused(client, world, settings):
    settings.HOMEWARD_PHOTO_MAX_BYTES = 100
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(buffer, "PNG")
    client.force_login(world.coordinator_a)
    data = _edit_data(client, world.c1, reason="Adding a photo")
    data["photo"] = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    response = client.post(reverse("children:edit", args=[world.c1.pk]), data)
    assert "The photo must be smaller than 100\xa0bytes." in response.content.decode()
    world.c1.refresh_from_db()
    assert not world.c1.photo
