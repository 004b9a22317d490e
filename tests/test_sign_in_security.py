"""Sign-in that holds: throttled guessing, the password rule, argon2 parameters, sessions."""

import argon2
import pytest
from sqlalchemy import select

from register import passwords, signin
from register.config import Config
from register.extensions import db
from register.models import AuditEntry, User

from .conftest import PASSWORD, AuthActions, csrf_token, make_app
from .test_meeting_form import meeting_form

WRONG = "not the right password"


def attempt(client, email="official@example.org", password=WRONG, **kwargs):
    token = csrf_token(client.get("/login", **kwargs))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs
    )


@pytest.fixture
def hashes(monkeypatch):
    """How many times a password is hashed (a real check or the stand-in for an unknown
    account): the work a guesser makes the server do."""
    calls = []
    verify = argon2.PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(1)
        return verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


# -- 1. throttling ---------------------------------------------------------------------------


def test_after_five_wrong_passwords_even_the_right_one_must_wait(client, world, throttle):
    assert [attempt(client).status_code for _ in range(5)] == [400] * 5
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert 50 <= int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert "För många misslyckade inloggningsförsök. Vänta 1 minut" in page
    assert 'name="email"' in page and 'name="password"' in page and "csrf_token" in page
    assert client.get("/desk/").status_code == 302


def test_an_unknown_account_is_throttled_alike_so_none_is_revealed(client, world, throttle):
    known = [attempt(client).status_code for _ in range(6)]
    other = make_app_client(client)
    unknown = [attempt(other, email="nobody@example.org").status_code for _ in range(6)]
    assert known == unknown == [400] * 5 + [429]


def make_app_client(client):
    """A second browser from another address, so that only the account's limit applies."""
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    return other


def test_a_throttled_attempt_hashes_no_password(client, world, hashes, throttle):
    for _ in range(5):
        attempt(client)
    assert len(hashes) == 5
    for _ in range(10):
        assert attempt(client).status_code == 429
        assert attempt(client, email="nobody@example.org").status_code in (400, 429)
    assert len(hashes) == 5 + 5  # only the unknown account's first five were hashed


def test_lockouts_grow_with_each_further_failure_and_end(app, client, world, throttle):
    for _ in range(5):
        attempt(client)
    throttle.age(61)  # the first lock-out, one minute, is over
    assert attempt(client).status_code == 400
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert 110 <= int(response.headers["Retry-After"]) <= 120  # twice as long
    assert "Vänta 2 minuter" in response.get_data(as_text=True)
    throttle.age(121)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures(client, auth, world, throttle):
    for _ in range(4):
        assert attempt(client).status_code == 400
    assert auth.login().status_code == 302
    auth.logout()
    assert [attempt(client).status_code for _ in range(5)] == [400] * 5
    assert attempt(client).status_code == 429


def test_failures_are_still_audited(app, client, world, throttle):
    for _ in range(6):
        attempt(client)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions == ["sign_in_failed"] * 5  # the throttled sixth changed nothing


def test_one_address_may_fail_only_so_often_whatever_the_accounts(app, client, world, throttle):
    app.config["SIGN_IN_ADDRESS_FAILURES"] = 3
    for number in range(3):
        assert attempt(client, email=f"guess{number}@example.org").status_code == 400
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert "Vänta 15 minuter" in response.get_data(as_text=True)
    assert attempt(make_app_client(client), password=PASSWORD).status_code == 302


def test_the_message_is_in_the_users_language(client, world, throttle):
    english = {"headers": {"Accept-Language": "en"}}
    for _ in range(5):
        attempt(client, **english)
    page = attempt(client, **english).get_data(as_text=True)
    assert "Too many failed attempts to sign in. Wait 1 minute and try again." in page


def test_an_admins_new_temporary_password_lifts_the_lockout(app, client, records, world, throttle):
    records.user(email="admin@example.org", role="admin", name="Adam Admin")
    for _ in range(6):
        attempt(client)
    admin = make_app_client(client)
    assert AuthActions(admin).login(email="admin@example.org").status_code == 302
    token = csrf_token(admin.get(f"/admin/accounts/{world['user']}"))
    admin.post(
        f"/admin/accounts/{world['user']}",
        data={
            "csrf_token": token,
            "email": "official@example.org",
            "name": "Test User",
            "role": "official",
            "official_id": str(world["official"]),
            "temporary_password": "en ny tillfällig fras",
        },
    )
    response = attempt(client, password="en ny tillfällig fras")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/password")


def test_the_current_password_is_guessed_no_more_freely_than_at_signing_in(
    app, client, auth, world, throttle
):
    auth.login()
    new = "ett nytt och långt lösenord"
    statuses = [change_password(client, new, current=WRONG).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    response = change_password(client, new)
    assert response.status_code == 429
    assert "Vänta 1 minut" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["user"]).check_password(PASSWORD)


def test_failures_keep_no_email_and_expire(app, client, world, throttle):
    attempt(client)
    expected = [signin.account_key("official@example.org"), signin.address_key("127.0.0.1")]
    assert throttle.keys() == sorted(expected)  # digests: neither the email nor the address
    throttle.age(24 * 3600 + 1)  # a day later none of them counts any more
    attempt(client, email="nobody@example.org")
    expected = [signin.account_key("nobody@example.org"), signin.address_key("127.0.0.1")]
    assert throttle.keys() == sorted(expected)


@pytest.mark.parametrize(("proxies", "address"), [(0, "127.0.0.1"), (1, "198.51.100.9")])
def test_the_client_address_comes_from_a_proxy_only_when_one_is_configured(
    app, proxies, address, throttle
):
    served = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], FORWARDED_PROXIES=proxies, **throttle.config
    )
    forwarded = {"headers": {"X-Forwarded-For": "198.51.100.9"}}
    attempt(served.test_client(), email="nobody@example.org", **forwarded)
    with served.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="sign_in_failed"))
        assert entry.address == address
        assert signin.address_key(address) in throttle.keys()
        db.session.remove()
        db.engine.dispose()


# A Redis that answers nothing: its port is closed.
NO_REDIS = {"REDIS_URL": "redis://127.0.0.1:9/0"}


def test_when_redis_does_not_answer_no_password_is_tried_at_all(app, client, world, hashes):
    app.config.update(NO_REDIS)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) == 60
    page = response.get_data(as_text=True)
    assert "Det går inte att logga in just nu. Försök igen om några minuter." in page
    assert 'name="email"' in page and 'name="password"' in page
    english = attempt(client, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Signing in is not possible just now. Try again in a few minutes." in english
    assert hashes == []  # guesses that cannot be counted are not checked either
    assert client.get("/desk/").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(AuditEntry)).all() == []


def test_when_redis_does_not_answer_the_current_password_is_not_tried(app, client, auth, world):
    auth.login()
    app.config.update(NO_REDIS)
    response = change_password(client, "ett nytt och långt lösenord")
    assert response.status_code == 503
    assert "Det går inte att logga in just nu" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["user"]).check_password(PASSWORD)


# -- 2. the password rule --------------------------------------------------------------------

COMMON_MESSAGE = "Det här är ett av de vanligaste lösenorden"


def test_the_bundled_list_holds_tens_of_thousands_of_common_passwords():
    common = passwords.common_passwords()
    assert 10_000 <= len(common) <= 100_000
    assert {"password1234", "qwerty123456", "iloveyou"} <= common


@pytest.mark.parametrize(
    "password",
    ["password1234", "PassWord1234", "QWERTY123456", "iloveyou2026!", "!!sunshine!!2026"],
)
def test_common_passwords_are_refused_whatever_their_case_or_added_digits(password):
    assert passwords.is_common(password)
    assert passwords.problem(password) is not None


@pytest.mark.parametrize(
    "password", [PASSWORD, "ett nytt och långt lösenord", "x7#Kq9!mLp2@Zr", "2026x1234567"]
)
def test_uncommon_passwords_of_twelve_to_128_characters_are_accepted(password):
    assert passwords.problem(password) is None


def change_password(client, new, current=PASSWORD):
    token = csrf_token(client.get("/account/password"))
    return client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": new,
            "confirm": new,
        },
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Password1234", COMMON_MESSAGE),
        ("starwars2026!!", COMMON_MESSAGE),
        ("kort", "Ett lösenord ska vara 12 till 128 tecken"),
        ("ö" * 129, "Ett lösenord ska vara 12 till 128 tecken"),
    ],
)
def test_a_new_password_must_keep_the_rule(app, client, auth, world, new, message):
    auth.login()
    response = change_password(client, new)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["user"]).check_password(PASSWORD)


def test_an_admin_cannot_give_a_common_temporary_password(app, client, records, world):
    records.user(email="admin@example.org", role="admin", name="Adam Admin")
    AuthActions(client).login(email="admin@example.org")
    token = csrf_token(client.get("/admin/accounts/new"))
    response = client.post(
        "/admin/accounts/new",
        data={
            "csrf_token": token,
            "email": "ny@example.org",
            "name": "Nina Ny",
            "role": "official",
            "official_id": "",
            "temporary_password": "Qwerty123456",
        },
    )
    assert response.status_code == 400
    assert COMMON_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(email="ny@example.org")) is None


def test_the_command_line_refuses_a_common_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "ny@example.org", "--name", "Nina Ny", "--password-stdin"],
        input="Password1234\n",
    )
    assert result.exit_code != 0
    assert "one of the most common passwords" in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


# -- 3. argon2id parameters ------------------------------------------------------------------


def stored_hash(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def set_hash(app, user_id, password_hash):
    with app.app_context():
        db.session.get(User, user_id).password_hash = password_hash
        db.session.commit()


ARGON2_SETTINGS = ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")


@pytest.fixture
def deployed_argon2(app):
    """The argon2id parameters a deployment gets (config.py); the test apps hash cheaper."""
    app.config.update({name: getattr(Config, name) for name in ARGON2_SETTINGS})


def test_passwords_are_hashed_with_argon2id_and_the_stated_parameters(app, deployed_argon2):
    with app.app_context():
        user = User()
        user.set_password(PASSWORD)
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_signing_in_rehashes_a_hash_made_with_other_parameters(
    app, client, auth, world, deployed_argon2
):
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    set_hash(app, world["user"], weak)
    assert attempt(client).status_code == 400
    assert stored_hash(app, world["user"]) == weak  # a wrong password changes nothing
    assert auth.login().status_code == 302
    rehashed = stored_hash(app, world["user"])
    assert rehashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert argon2.PasswordHasher().verify(rehashed, PASSWORD)


def test_changed_parameters_take_effect_at_the_next_sign_in(app, client, auth, world):
    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=19456, ARGON2_PARALLELISM=1)
    assert auth.login().status_code == 302
    assert stored_hash(app, world["user"]).startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    auth.logout()
    assert auth.login().status_code == 302


# -- 4. sessions ---------------------------------------------------------------------------


def shift_session(client, **seconds):
    with client.session_transaction() as session:
        for key, delta in seconds.items():
            session[key] -= delta


def test_a_session_idle_for_over_30_minutes_is_signed_out(client, auth, world):
    auth.login()
    shift_session(client, seen_at=31 * 60, signed_in_at=31 * 60)
    response = client.get("/desk/?view=mine")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/desk/?view%3Dmine"
    assert "Din session har avslutats" in client.get("/login").get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_an_expired_session_gets_json_from_the_pickers_look_up(client, auth, world):
    auth.login()
    shift_session(client, seen_at=31 * 60)
    response = client.get("/desk/lookup/organisations?q=tra")
    assert response.status_code == 401
    assert response.is_json


def test_a_session_in_use_goes_on_and_counts_from_its_last_request(client, auth, world):
    auth.login()
    shift_session(client, seen_at=29 * 60, signed_in_at=29 * 60)
    assert client.get("/desk/").status_code == 200
    shift_session(client, seen_at=29 * 60)  # 29 minutes after the last request
    assert client.get("/desk/").status_code == 200


def test_typing_in_a_long_form_keeps_the_session_and_saves_the_text(client, auth, records, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    for _ in range(3):  # an hour and a half of writing, the page asking every half hour
        shift_session(client, seen_at=29 * 60)
        assert client.get("/account/session").status_code == 204
    form = meeting_form(token, world, subject="Skrivet i en och en halv timme")
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    shift_session(client, seen_at=31 * 60)  # but a session left alone still ends
    assert client.get("/account/session").status_code == 401
    assert client.get("/desk/").status_code == 302


def test_a_session_ends_12_hours_after_signing_in_however_busy(client, auth, world):
    auth.login()
    shift_session(client, signed_in_at=12 * 3600 - 60)
    assert client.get("/desk/").status_code == 200
    shift_session(client, signed_in_at=120)
    assert client.get("/desk/").status_code == 302


def test_the_idle_limit_is_configurable(app, client, auth, world):
    app.config["SESSION_IDLE_MINUTES"] = 5
    auth.login()
    shift_session(client, seen_at=6 * 60)
    assert client.get("/desk/").status_code == 302


def test_a_password_change_keeps_this_session_and_its_clock(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    AuthActions(here).login()
    AuthActions(elsewhere).login()
    shift_session(here, signed_in_at=11 * 3600)
    assert change_password(here, "ett nytt och långt lösenord").status_code == 302
    assert here.get("/desk/").status_code == 200
    assert elsewhere.get("/desk/").status_code == 302
    shift_session(here, signed_in_at=3660)  # changing the password did not restart it
    assert here.get("/desk/").status_code == 302


def test_over_https_the_session_cookie_has_the_host_prefix(app, world):
    secure = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE=True)
    client = secure.test_client()
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    response = attempt(client, password=PASSWORD, **https)
    assert response.status_code == 302
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if "session=" in c]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert client.get("/desk/", base_url="https://localhost").status_code == 200
    with secure.app_context():
        db.session.remove()
        db.engine.dispose()
