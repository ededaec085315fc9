"""A manager downloads the year's SSDA903 tables and the Annex A List 8 columns, and sees the
downloads listed with her name. Every page visited is checked with axe (WCAG 2.2 AA)."""

import csv
import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import sign_in
from tests.reporting.ssda903_cases import YEAR, build_cases, expected_missing_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_downloads_the_statutory_returns(page, world, assert_accessible, tmp_path):
    cases = build_cases(world)
    sign_in(page, world.manager_a, assert_accessible)
    page.get_by_role("link", name="Statutory returns").click()
    expect(page.get_by_role("heading", name="Statutory returns")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Collection year").select_option(str(YEAR))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the SSDA903 tables").click()
    assert download.value.suggested_filename == "SSDA903_2025-26_E08000003.zip"
    saved = tmp_path / "ssda903.zip"
    download.value.save_as(saved)
    missing = zipfile.ZipFile(saved).read("Missing.csv").decode()
    assert list(csv.reader(io.StringIO(missing)))[1:] == expected_missing_rows(cases)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the Annex A List 8 columns").click()
    assert download.value.suggested_filename.startswith("AnnexA_List8_missing_E08000003_")

    page.reload()
    downloads = page.get_by_role("table", name="The latest statutory returns downloaded for your authorities")
    assert downloads.get_by_role("row").count() == 3  # the header and the two downloads
    assert "Mandy Manager" in downloads.inner_text()
    assert_accessible(page)
