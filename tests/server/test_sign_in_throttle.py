"""Sign-in throttling holds across gunicorn's workers: parallel guessers share one count,
whether it is kept in the database or in Redis."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from register import signin

from ..conftest import CSRF_PATTERN, PASSWORD
from .conftest import WebUser

pytestmark = pytest.mark.server

GUESSERS = 8
GUESSES_EACH = 3


def guess(url, email, password, start_together=None):
    """(status, Retry-After) of `GUESSES_EACH` sign-ins by one visitor of their own."""
    answers = []
    with WebUser(url) as guesser:
        token = guesser.form_token("/login")
        if start_together:
            start_together.wait()
        for _ in range(GUESSES_EACH):
            response = guesser.post(
                "/login", data={"email": email, "password": password, "csrf_token": token}
            )
            answers.append((response.status_code, response.headers.get("Retry-After")))
    return answers


def parallel(url, emails):
    start_together = threading.Barrier(len(emails), timeout=20)
    with ThreadPoolExecutor(len(emails)) as pool:
        futures = [
            pool.submit(guess, url, email, "wrong password guess", start_together)
            for email in emails
        ]
        return [answer for future in futures for answer in future.result(timeout=120)]


def test_parallel_guesses_at_one_account_across_workers_stay_within_the_limit(
    served, world, throttle
):
    url = served.start(workers=4, extra_env=throttle.config)
    answers = parallel(url, ["official@example.org"] * GUESSERS)
    statuses = [status for status, _ in answers]
    assert statuses.count(400) == 5  # the account's limit, not five per worker
    assert statuses.count(429) == GUESSERS * GUESSES_EACH - 5
    assert all(1 <= int(wait) <= 60 for status, wait in answers if status == 429)
    with WebUser(url) as owner:
        token = owner.form_token("/login")
        response = owner.post(
            "/login",
            data={"email": "official@example.org", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 429  # the right password too, while locked
        assert CSRF_PATTERN.search(response.text)  # the page still has the form
        assert owner.get("/desk/").status_code == 302
    assert signin.account_key("official@example.org") in throttle.keys()  # counted there


def test_parallel_guesses_at_many_accounts_from_one_address_stay_within_its_limit(
    served, world, throttle
):
    url = served.start(workers=4, extra_env={"SIGN_IN_ADDRESS_FAILURES": "10", **throttle.config})
    answers = parallel(url, [f"guess{n}@example.org" for n in range(GUESSERS)])
    statuses = [status for status, _ in answers]
    assert statuses.count(400) == 10
    assert statuses.count(429) == GUESSERS * GUESSES_EACH - 10
