"""Signing in and out, safe redirects, and the accounts command."""

import pytest
from sqlalchemy import select

from register.extensions import db
from register.models import User
from register.redirects import is_safe_path

from .conftest import PASSWORD, csrf_token


def test_sign_in_and_reach_the_desk(client, auth, world):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_email_is_case_insensitive(client, auth, world):
    assert auth.login(email="  Official@Example.ORG ").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("official@example.org", "wrong password"), ("nobody@example.org", PASSWORD)],
)
def test_wrong_credentials_get_one_message(client, auth, world, email, password):
    response = auth.login(email=email, password=password)
    assert response.status_code == 400
    assert "E-postadressen eller lösenordet är fel" in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_inactive_account_cannot_sign_in(app, client, auth, world):
    with app.app_context():
        db.session.get(User, world["user"]).active = False
        db.session.commit()
    assert auth.login().status_code == 400


def test_login_needs_a_csrf_token(client, world):
    response = client.post("/login", data={"email": "official@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/desk/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/meetings/1", "/meetings/1"),
        ("https://evil.example/", "/desk/"),
        ("//evil.example/", "/desk/"),
        ("/\\evil.example", "/desk/"),
        ("javascript:alert(1)", "/desk/"),
        ("/\t/evil.example", "/desk/"),
    ],
)
def test_login_follows_only_a_safe_next(client, world, next_url, expected):
    token = csrf_token(client.get("/login"))
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "official@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == expected


def test_is_safe_path():
    assert is_safe_path("/desk/?x=1")
    for bad in (None, "", "desk", "http://x", "//x", "/\\x", "\\\\x", "/a\nb"):
        assert not is_safe_path(bad)


def test_logout_is_post_only(client, auth, world):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.get("/desk/").status_code == 200


def test_logout_invalidates_a_copied_session_cookie(app, client, auth, world):
    auth.login()
    stolen = client.get_cookie("session").value
    auth.logout()
    assert client.get("/desk/").status_code == 302
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/desk/").status_code == 302


def test_users_create_command(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "New.Person@Example.org",
            "--name",
            "Ny Person",
            "--role",
            "registrar",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.name) == (
            "new.person@example.org",
            "registrar",
            "Ny Person",
        )
        assert user.check_password("a long enough password")
        assert not user.password_hash.startswith("a long")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-email", "--name", "X"], "a long enough password\n", "is not an email address"),
        (
            ["x@example.org", "--name", "X", "--role", "king"],
            "a long enough password\n",
            "Invalid value",
        ),
        (["x@example.org", "--name", "X"], "eleven char\n", "12 to 128 characters"),
        (
            ["x@example.org", "--name", "X", "--official-id", "99"],
            "a long enough password\n",
            "no official 99",
        ),
    ],
)
def test_users_create_refuses_bad_input(app, runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", *args, "--password-stdin"], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_users_create_refuses_a_duplicate_email(app, runner, world):
    result = runner.invoke(
        args=["users", "create", "OFFICIAL@example.org", "--name", "X", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_changing_the_password_ends_other_sessions(app, world):
    from .conftest import PASSWORD, AuthActions, csrf_token

    here, elsewhere = app.test_client(), app.test_client()
    AuthActions(here).login()
    AuthActions(elsewhere).login()
    token = csrf_token(here.get("/account/password"))
    form = {"csrf_token": token, "current_password": PASSWORD}
    short = here.post("/account/password", data=form | {"new_password": "kort", "confirm": "kort"})
    assert short.status_code == 400
    assert "12 till 128 tecken" in short.get_data(as_text=True)
    new = "ett nytt och långt lösenord"
    response = here.post("/account/password", data=form | {"new_password": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/desk/").status_code == 200  # this session goes on
    assert elsewhere.get("/desk/").status_code == 302  # the other one has ended
    assert AuthActions(elsewhere).login().status_code == 400  # the old password is gone
    assert AuthActions(elsewhere).login(password=new).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, client, auth, world):
    from .conftest import PASSWORD, csrf_token

    auth.login()
    token = csrf_token(client.get("/account/password"))
    new = "ett nytt och långt lösenord"
    response = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": "fel", "new_password": new, "confirm": new},
    )
    assert response.status_code == 400
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 302
