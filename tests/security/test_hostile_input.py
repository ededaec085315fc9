"""Hostile input (issue 7, 'Bad input'): HTML and script in text are shown as text on pages and
in PDFs; control characters and over-long answers are refused with a clear message and nothing
is stored; an uploaded file's name is never the name it is stored under."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from interviews import services as interview_services
from tests.children.test_child_pages import _edit_data
from tests.factories import make_agreement
from tests.interviews.conftest import COMPLETE_RECORD, returned_interview
from tests.interviews.test_pdf import poppler

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("hw")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def test_html_and_script_in_a_name_and_the_childs_words_are_shown_as_text_on_pages_and_in_the_pdf(client, world):
    child = world.c1
    child.given_name, child.family_name = SCRIPT, ATTRIBUTE
    child.save()
    interview = returned_interview(world, child)
    interview_services.interview_allocate(interview=interview, worker=world.rhi_worker, by=world.coordinator_a)
    record = {**COMPLETE_RECORD, "held_at": interview.returned_at + datetime.timedelta(hours=2), "child_words": SCRIPT}
    interview_services.record_save(interview=interview, by=world.rhi_worker, data=record)
    interview_services.record_submit(interview=interview, by=world.rhi_worker)
    interview_services.record_authorise(interview=interview, by=world.manager_a, agreement=make_agreement())
    client.force_login(world.social_worker_a)
    pages = [
        child.get_absolute_url(),
        reverse("children:list"),
        reverse("children:list") + "?q=script",
        interview.episodes.first().get_absolute_url(),
        reverse("interviews:detail", args=[interview.pk]),
        reverse("interviews:list"),
        reverse("home"),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert SCRIPT not in body and "<img src=x" not in body, url
    assert "&lt;script&gt;alert(&quot;hw&quot;)&lt;/script&gt;" in client.get(child.get_absolute_url()).content.decode()
    assert SCRIPT not in client.get(reverse("interviews:record", args=[interview.pk])).content.decode()

    pdf = client.get(reverse("interviews:pdf", args=[interview.pk])).content
    text = " ".join(poppler("pdftotext", pdf).split())
    assert text.count(SCRIPT) >= 2 and ATTRIBUTE in text  # the name and the words, as typed, never run


@pytest.mark.parametrize(
    ("value", "code"),
    [("Ash\x07down", "0007"), ("Ash\x1b[31mdown", "001B"), ("Ash\u202edown", "202E"), ("Ash\x00down", None)],
)
def test_a_control_character_in_a_form_is_refused_and_nothing_is_stored(client, world, value, code):
    child = world.c1
    before = (child.family_name, child.history.count())
    client.force_login(world.coordinator_a)
    data = _edit_data(client, child, family_name=value, reason="Correcting the spelling")
    response = client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Remove the control character (U+{code})" in body if code else "Null characters are not allowed" in body
    child.refresh_from_db()
    assert (child.family_name, child.history.count()) == before


def test_line_breaks_and_tabs_in_a_long_answer_are_text_not_control_characters(client, world):
    client.force_login(world.coordinator_a)
    data = _edit_data(client, world.c1, reason="Two lines\r\nand a\ttab")
    assert client.post(reverse("children:edit", args=[world.c1.pk]), data).status_code == 302
    assert world.c1.history.first().history_change_reason == "Two lines\r\nand a\ttab"


def test_an_over_long_answer_is_refused_and_nothing_is_stored(client, world):
    child = world.c1
    before = child.history.count()
    client.force_login(world.coordinator_a)
    data = _edit_data(client, child, family_name="A" * 5000, reason="Correcting the spelling")
    response = client.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 200
    assert "Ensure this value has at most" in response.content.decode()
    child.refresh_from_db()
    assert child.family_name != "A" * 5000 and child.history.count() == before


def test_a_photo_is_stored_under_a_name_of_our_own_whatever_it_was_called(client, world, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    client.force_login(world.coordinator_a)
    data = _edit_data(client, world.c1, reason="Adding a photo")
    data["photo"] = SimpleUploadedFile(
        "../../../../etc/cron.d/Chloe Ashdown.png", buffer.getvalue(), content_type="image/png"
    )
    assert client.post(reverse("children:edit", args=[world.c1.pk]), data).status_code == 302
    world.c1.refresh_from_db()
    name = world.c1.photo.name
    assert name.startswith("photos/") and name.endswith(".png")
    assert ".." not in name and "Chloe" not in name and "cron" not in name
    assert (settings.MEDIA_ROOT / name).resolve().is_relative_to(settings.MEDIA_ROOT.resolve())
