"""A coordinator's day at foundation scale: sign in with MFA, find a child, add and change one.

Every page visited is checked with axe (WCAG 2.2 AA).
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from children.models import Child
from tests.factories import PASSWORD, UserFactory, totp_code_to_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user, assert_accessible, *, used: str | None = None) -> str:
    """Sign in with a password and the authenticator's code (not the code `used` before), on to
    the home page; returns the code (the product accepts each code once)."""
    page.goto(reverse("account_login"))
    assert_accessible(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**" + reverse("mfa_authenticate"))
    assert_accessible(page)
    code = totp_code_to_type(user, used=used)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("home"))
    return code


def test_sign_in_with_mfa_and_find_a_child(page, world, assert_accessible):
    sign_in(page, world.coordinator_a, assert_accessible)
    expect(page.get_by_role("heading", name="What needs doing today")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Children").first.click()
    assert_accessible(page)
    page.get_by_label("Name or alias").fill("ashdown")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 child found")).to_be_visible()
    assert_accessible(page)
    assert page.get_by_role("link", name="Callum").count() == 0  # another authority's child

    page.get_by_role("link", name="Ashdown, Chloe").click()
    expect(page.get_by_role("heading", name="Chloe Ashdown")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_shows_an_error_that_names_the_problem(page, world, assert_accessible):
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill(world.coordinator_a.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address and/or password you specified are not correct.").first).to_be_visible()
    assert_accessible(page)


def test_add_a_child_then_correct_the_record(page, world, assert_accessible):
    sign_in(page, world.coordinator_a, assert_accessible)
    page.goto(reverse("children:create"))
    assert_accessible(page)

    page.get_by_role("button", name="Add child").click()  # nothing filled in
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    assert not Child.objects.filter(responsible_authority=world.la_a).exclude(pk__in=[world.c1.pk]).exists()

    page.get_by_label("Given name").fill("Siobhán")
    page.get_by_label("Family name").fill("Nguyễn")
    page.get_by_label("Date of birth (optional)", exact=True).fill("2011-05-04")
    page.get_by_label("Responsible authority").select_option(label="Manchester")
    page.get_by_label("Child sexual exploitation (CSE)").check()
    page.get_by_role("button", name="Add child").click()
    expect(page.get_by_role("heading", name="Siobhán Nguyễn")).to_be_visible()
    expect(page.get_by_text("Child sexual exploitation (CSE)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change this record").click()
    assert_accessible(page)
    page.get_by_label("Usual clothing").fill("Green parka, white trainers")
    page.get_by_label("Why are you changing this record?").fill("Carer gave an updated description")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Green parka, white trainers")).to_be_visible()

    child = Child.objects.get(family_name="Nguyễn")
    assert child.history.first().history_change_reason == "Carer gave an updated description"
    assert child.history.first().history_user == world.coordinator_a


def test_a_new_user_sets_up_two_factor_authentication_before_anything_else(page, db, assert_accessible):
    user = UserFactory(mfa=False)
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Setting up an authenticator is a security change: allauth asks for the password again.
    page.wait_for_url("**" + reverse("account_reauthenticate") + "*")
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button").first.click()
    page.wait_for_url("**" + reverse("mfa_activate_totp"))
    assert_accessible(page)

    user.totp_secret = page.get_by_label("Authenticator secret").input_value().strip()
    page.get_by_label("Authenticator code").fill(totp_code_to_type(user))
    page.locator("main").get_by_role("button").first.click()
    expect(page.get_by_text("recovery codes", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.goto(reverse("children:list"))
    expect(page.get_by_role("heading", name="Children", exact=True)).to_be_visible()
