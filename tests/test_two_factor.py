"""Two-step sign-in: a code from an authenticator app after the password."""

import re
import time

import pytest
from sqlalchemy import select

from register import two_factor
from register.extensions import db
from register.models import AuditEntry, User

from .conftest import PASSWORD, AuthActions, code_for, csrf_token, fresh_code

SECRET_IN_PAGE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
RECOVERY_IN_PAGE = re.compile(r"<li><code>([a-z2-7-]{19})</code></li>")


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, whose words the tests look for."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def password_step(client, email, password=PASSWORD):
    token = csrf_token(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def actions(app, email):
    with app.app_context():
        return db.session.scalars(
            select(AuditEntry.action).join(User, AuditEntry.target_id == User.id)
            .where(AuditEntry.target_type == "user", User.email == email)
            .order_by(AuditEntry.id)
        ).all()  # fmt: skip


def account(app, email) -> User:
    with app.app_context():
        return db.session.scalar(select(User).filter_by(email=email))


def enrol(client) -> tuple[str, list[str]]:
    """Set up two-step sign-in through the pages; returns the secret and recovery codes."""
    page = client.get("/account/two-step/setup")
    secret = SECRET_IN_PAGE.search(page.get_data(as_text=True)).group(1).replace(" ", "")
    response = client.post(
        "/account/two-step/setup", data={"code": fresh_code(secret), "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 200
    return secret, RECOVERY_IN_PAGE.findall(response.get_data(as_text=True))


@pytest.fixture
def registrar(records):
    records.user(email="registrar@example.org", role="registrar")
    return "registrar@example.org"


# -- signing in ---------------------------------------------------------------------


def test_code_is_asked_after_the_password_and_nobody_is_signed_in_before(client, registrar):
    response = password_step(client, registrar)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/desk/").headers["Location"].startswith("/login")
    page = client.get("/login/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    auth = AuthActions(client)
    assert auth.enter_code(code_for(registrar)).headers["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_wrong_code_is_refused_and_audited(app, client, registrar):
    password_step(client, registrar)
    response = AuthActions(client).enter_code("000000")
    assert response.status_code == 400
    assert "The code is wrong" in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302
    assert "two_factor_failed" in actions(app, registrar)


def test_a_used_code_cannot_be_used_again(client, registrar):
    code = code_for(registrar)
    password_step(client, registrar)
    assert AuthActions(client).enter_code(code).status_code == 302
    AuthActions(client).logout()
    password_step(client, registrar)
    response = AuthActions(client).enter_code(code)
    assert response.status_code == 400
    assert client.get("/desk/").status_code == 302


def test_code_guesses_are_throttled(app, client, registrar):
    password_step(client, registrar)
    auth = AuthActions(client)
    for _ in range(app.config["SIGN_IN_ACCOUNT_FAILURES"]):
        assert auth.enter_code("000000").status_code == 400
    throttled = auth.enter_code(code_for(registrar))  # right, but not even checked now
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert client.get("/desk/").status_code == 302


def test_a_right_password_does_not_clear_failed_codes(app, client, registrar):
    auth = AuthActions(client)
    password_step(client, registrar)
    for _ in range(app.config["SIGN_IN_ACCOUNT_FAILURES"]):
        auth.enter_code("000000")
    assert password_step(client, registrar).headers["Location"] == "/login/code"
    assert auth.enter_code("111111").status_code == 429


def test_the_password_step_expires(app, client, registrar, monkeypatch):
    password_step(client, registrar)
    later = time.time() + app.config["TWO_FACTOR_PENDING_SECONDS"] + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/login/code")
    assert response.headers["Location"] == "/login"
    assert "took too long" in client.get("/login").get_data(as_text=True)


def test_a_recovery_code_works_once(app, client, records):
    records.user(email="official@example.org")
    auth = AuthActions(client)
    auth.login()
    _secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    auth.logout()
    password_step(client, "official@example.org")
    response = auth.enter_code(codes[0].upper().replace("-", " "), field="recovery_code")
    assert response.headers["Location"] == "/desk/"
    assert "Recovery codes left: 9." in client.get("/desk/").get_data(as_text=True)
    auth.logout()
    password_step(client, "official@example.org")
    assert auth.enter_code(codes[0], field="recovery_code").status_code == 400
    assert "two_factor_recovery_code_used" in actions(app, "official@example.org")


# -- enrolment ------------------------------------------------------------------------


def test_enrolment_needs_a_confirming_code(app, client, records):
    records.user(email="official@example.org")
    AuthActions(client).login()
    page = client.get("/account/two-step/setup")
    html = page.get_data(as_text=True)
    assert "<svg" in html and 'class="qr-code"' in html and "<img" not in html
    wrong = client.post(
        "/account/two-step/setup", data={"code": "12345", "csrf_token": csrf_token(page)}
    )
    assert wrong.status_code == 400
    assert not account(app, "official@example.org").two_factor_enabled
    secret, codes = enrol(client)
    user = account(app, "official@example.org")
    assert user.two_factor_enabled and user.two_factor_secret == secret
    assert len(codes) == 10
    assert "two_factor_enable" in actions(app, "official@example.org")


def test_the_qr_code_names_the_register_as_issuer(app, client, records):
    records.user(email="official@example.org")
    AuthActions(client).login()
    client.get("/account/two-step/setup")
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="official@example.org"))
        uri = two_factor.provisioning_uri(user, user.two_factor_secret)
    assert uri.startswith("otpauth://totp/Testregionen:official%40example.org?")
    assert "issuer=Testregionen" in uri


def test_nothing_of_the_secret_shows_after_enrolment(app, client, records):
    records.user(email="official@example.org")
    AuthActions(client).login()
    secret, codes = enrol(client)
    pages = [
        client.get(path) for path in ("/account/two-step", "/account/two-step/setup", "/desk/")
    ]
    text = "".join(page.get_data(as_text=True) for page in pages)
    assert secret not in text and secret[:4] + " " not in text and "<svg" not in text
    assert not any(code in text for code in codes)
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry)).all()
        assert secret not in repr([(e.before, e.after) for e in logged])


def test_new_recovery_codes_replace_the_old(app, client, records):
    records.user(email="official@example.org")
    auth = AuthActions(client)
    auth.login()
    _secret, old = enrol(client)
    page = client.get("/account/two-step")
    assert "10 unused recovery codes" in page.get_data(as_text=True)
    response = client.post(
        "/account/two-step/recovery-codes",
        data={"codes-current_password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    new = RECOVERY_IN_PAGE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    password_step(client, "official@example.org")
    assert auth.enter_code(old[1], field="recovery_code").status_code == 400
    assert auth.enter_code(new[1], field="recovery_code").status_code == 302


# -- who must use it ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_registrar_and_admin_must_enrol_before_anything_else(app, client, records, role):
    records.user(email="boss@example.org", role=role, two_step=False)
    response = AuthActions(client).login(email="boss@example.org")
    assert response.headers["Location"] == "/desk/"
    for path in ("/desk/", "/admin/", "/admin/units", "/desk/meetings/new"):
        assert client.get(path).headers["Location"].startswith("/account/two-step/setup"), path
    assert client.get("/account/two-step/setup").status_code == 200
    enrol(client)
    assert client.get("/admin/").status_code == 200


def test_a_new_registrar_role_requires_two_step_at_the_next_request(app, client, records):
    records.user(email="official@example.org")
    AuthActions(client).login()
    assert client.get("/desk/").status_code == 200
    with app.app_context():
        db.session.scalar(select(User).filter_by(email="official@example.org")).role = "registrar"
        db.session.commit()
    assert client.get("/desk/").headers["Location"].startswith("/account/two-step/setup")


def test_the_required_roles_are_configurable(migrated_database_url):
    from .conftest import make_app

    app = make_app(migrated_database_url, TWO_FACTOR_ROLES=frozenset({"admin"}))
    with app.app_context():
        assert not two_factor.required(User(role="registrar"))
        assert two_factor.required(User(role="admin"))


def test_an_official_can_switch_it_on_and_off(app, client, records):
    records.user(email="official@example.org")
    auth = AuthActions(client)
    auth.login()
    assert "is off" in client.get("/account/two-step").get_data(as_text=True)
    enrol(client)
    page = client.get("/account/two-step")
    wrong = client.post(
        "/account/two-step/off",
        data={"off-current_password": "wrong password", "csrf_token": csrf_token(page)},
    )
    assert wrong.status_code == 400 and account(app, "official@example.org").two_factor_enabled
    client.post(
        "/account/two-step/off",
        data={"off-current_password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert not account(app, "official@example.org").two_factor_enabled
    assert "two_factor_disable" in actions(app, "official@example.org")
    auth.logout()
    assert password_step(client, "official@example.org").headers["Location"] == "/desk/"


def test_a_registrar_cannot_switch_it_off(app, client, registrar):
    AuthActions(client).login(email=registrar)
    page = client.get("/account/two-step")
    response = client.post(
        "/account/two-step/off",
        data={"off-current_password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 403
    assert account(app, registrar).two_factor_enabled


# -- an admin's reset -----------------------------------------------------------------


def test_admin_resets_a_lost_phone_and_the_holder_enrols_again(app, client, records, registrar):
    records.user(email="admin@example.org", role="admin")
    holder = app.test_client()
    holder.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(holder).login(email=registrar)
    AuthActions(client).login(email="admin@example.org")
    user_id = account(app, registrar).id
    page = client.get(f"/admin/accounts/{user_id}")
    assert "Reset two-step sign-in" in page.get_data(as_text=True)
    response = client.post(
        f"/admin/accounts/{user_id}/two-step/reset", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert not account(app, registrar).two_factor_enabled
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="two_factor_reset"))
        assert entry.actor == "admin@example.org" and entry.target_id == user_id
    assert holder.get("/desk/").headers["Location"].startswith("/login")  # signed out
    assert password_step(holder, registrar).headers["Location"] == "/desk/"
    assert holder.get("/desk/").headers["Location"].startswith("/account/two-step/setup")


def test_admin_cannot_reset_their_own(app, client, records):
    records.user(email="admin@example.org", role="admin")
    AuthActions(client).login(email="admin@example.org")
    user_id = account(app, "admin@example.org").id
    page = client.get(f"/admin/accounts/{user_id}")
    response = client.post(
        f"/admin/accounts/{user_id}/two-step/reset", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 409
    assert account(app, "admin@example.org").two_factor_enabled


def test_the_page_asked_for_is_reached_after_the_code(client, registrar):
    token = csrf_token(client.get("/login"))
    client.post(
        "/login?next=/admin/units",
        data={"email": registrar, "password": PASSWORD, "csrf_token": token},
    )
    assert AuthActions(client).enter_code(code_for(registrar)).headers["Location"] == "/admin/units"


def test_signing_out_everywhere_voids_a_password_step(app, client, registrar):
    password_step(client, registrar)
    with app.app_context():
        db.session.scalar(select(User).filter_by(email=registrar)).end_sessions()
        db.session.commit()
    assert client.get("/login/code").headers["Location"] == "/login"


def test_when_redis_does_not_answer_no_code_is_tried(app, client, registrar):
    assert password_step(client, registrar).headers["Location"] == "/login/code"
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # its port is closed
    response = AuthActions(client).enter_code(code_for(registrar))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Signing in is not possible just now." in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302
    assert "two_factor_failed" not in actions(app, registrar)


def test_the_accounts_list_shows_who_has_two_step_sign_in(client, records):
    records.user(email="admin@example.org", role="admin", name="Ada Admin")
    records.user(email="reg@example.org", role="registrar", name="Rut Registrar", two_step=False)
    records.user(email="off@example.org", role="official", name="Olle Official")
    records.user(email="safe@example.org", role="official", name="Siv Safe", two_step=True)
    AuthActions(client).login(email="admin@example.org")
    page = client.get("/admin/accounts").get_data(as_text=True)
    rows = {
        name: re.search(rf">{name}</a>.*?</tr>", page, re.S).group(0)
        for name in ("Ada Admin", "Rut Registrar", "Olle Official", "Siv Safe")
    }
    assert "<td>On</td>" in rows["Ada Admin"] and "<td>On</td>" in rows["Siv Safe"]
    assert "Off, required" in rows["Rut Registrar"]
    assert ">Off</span>" in rows["Olle Official"] and "required" not in rows["Olle Official"]
