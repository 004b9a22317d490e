"""Two-step sign-in in a real browser, under the real Content-Security-Policy: a registrar
sets it up at the first sign-in, then signs in with a code; each page passes axe."""

import re

import pytest

from ..conftest import PASSWORD, fresh_code
from .test_browser import assert_accessible

pytestmark = pytest.mark.browser


def type_password(page, email):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_a_registrar_sets_up_two_step_sign_in_then_signs_in_with_a_code(page, records):
    records.user(email="registrar@example.org", role="registrar", two_step=False)
    type_password(page, "registrar@example.org")
    page.wait_for_url("**/account/two-step/setup**")
    qr_code = page.locator("svg.qr-code")
    assert qr_code.is_visible() and qr_code.bounding_box()["width"] >= 100
    assert_accessible(page)
    page.goto("/admin/")  # nothing else until it is set up
    page.wait_for_url("**/account/two-step/setup**")

    page.locator("#code").fill("000000")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#code-errors").is_visible()
    assert_accessible(page)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(fresh_code(secret))
    page.locator("main form button[type=submit]").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", c) for c in codes)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("go on|fortsätt")).click()
    page.wait_for_url("**/admin/")

    page.locator("header form button[type=submit]").click()  # sign out
    type_password(page, "registrar@example.org")
    page.wait_for_url("**/login/code")
    assert page.locator("#code").get_attribute("autocomplete") == "one-time-code"
    assert_accessible(page)
    page.locator("#code").fill(fresh_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/desk/")
