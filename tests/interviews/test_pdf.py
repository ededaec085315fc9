"""The shared interview record is a tagged PDF (PDF/UA-1) that holds what the child said.
Read with poppler's pdfinfo and pdftotext, as an assistive reader would get at it."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from tests.conftest import REQUIRE_SERVICES

from .conftest import COMPLETE_RECORD, authorised, returned_interview

pytestmark = pytest.mark.django_db


def poppler(tool: str, pdf: bytes) -> str:
    if shutil.which(tool) is None:
        message = f"needs poppler's {tool} (apt install poppler-utils)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {message}", pytrace=False)
        pytest.skip(message)
    args = [tool, "-", "-"] if tool == "pdftotext" else [tool, "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True, timeout=60).stdout.decode()


def test_the_downloaded_record_is_a_tagged_pdf_with_the_childs_own_words(client, world):
    interview = authorised(world, returned_interview(world, world.c1))
    client.force_login(world.social_worker_a)

    pdf = client.get(reverse("interviews:pdf", args=[interview.pk])).content

    info = poppler("pdfinfo", pdf)
    assert "Tagged:          yes" in info
    text = " ".join(poppler("pdftotext", pdf).split())
    assert COMPLETE_RECORD["child_words"] in text
    assert world.c1.full_name in text
