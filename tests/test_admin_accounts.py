"""Accounts, for admins, through the real forms with CSRF: create with a temporary password,
change, deactivate and reactivate; the last active admin is kept; every change is audited."""

import re

import pytest
from sqlalchemy import func, select

from register import accounts
from register.extensions import db
from register.models import AuditEntry, User

from .conftest import PASSWORD, AuthActions, csrf_token

TEMPORARY = "tillfälligt-lösen-123"
PASSWORD_ON_PAGE = re.compile(r'<code class="temporary-password">([^<]+)</code>')


@pytest.fixture
def team(records, world):
    """The world's official with an account, a registrar and an admin; ids by role."""
    return {
        "official": world["user"],
        "registrar": records.user(email="registrar@example.org", role="registrar", name="Rut"),
        "admin": records.user(email="admin@example.org", role="admin", name="Adam Admin"),
    }


def signed_in(app, email):
    """A browser of its own, signed in as `email`."""
    client = app.test_client()
    response = AuthActions(client).login(email=email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def account_form(token, **overrides):
    data = {
        "csrf_token": token,
        "email": "Ny.Person@Example.org",
        "name": "Nina Ny",
        "role": "official",
        "official_id": "",
        "temporary_password": TEMPORARY,
    }
    data.update(overrides)
    return data


def user(app, email) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).filter_by(email=email))
        if found is not None:
            db.session.expunge(found)
        return found


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def audit_entries(app, action):
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).filter_by(action=action)).all()
        return [(e.actor, e.address, e.target_id, e.before, e.after) for e in entries]


def post_action(client, account_id, action):
    token = csrf_token(client.get(f"/admin/accounts/{account_id}"))
    return client.post(f"/admin/accounts/{account_id}/{action}", data={"csrf_token": token})


def create(client, **overrides):
    token = csrf_token(client.get("/admin/accounts/new"))
    return client.post("/admin/accounts/new", data=account_form(token, **overrides))


# -- who may -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/accounts", "/admin/accounts/new", "/admin/accounts/1"])
def test_anonymous_visitors_are_sent_to_sign_in_from_account_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("who", "status"), [("official", 403), ("registrar", 403), ("admin", 200)])
def test_only_admins_reach_the_account_pages(app, team, who, status):
    client = signed_in(app, f"{who}@example.org")
    for path in ("/admin/accounts", "/admin/accounts/new", f"/admin/accounts/{team['official']}"):
        assert client.get(path).status_code == status, path


@pytest.mark.parametrize("who", ["official", "registrar"])
@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_non_admin_posting_to_account_urls_is_forbidden_and_changes_nothing(app, team, who, action):
    client = signed_in(app, f"{who}@example.org")
    token = csrf_token(client.get("/desk/"))
    target = team["admin"]
    response = client.post(f"/admin/accounts/{target}/{action}", data={"csrf_token": token})
    assert response.status_code == 403
    assert "Du har inte behörighet" in response.get_data(as_text=True)
    response = client.post("/admin/accounts/new", data=account_form(token))
    assert response.status_code == 403
    assert user(app, "admin@example.org").active
    assert user(app, "ny.person@example.org") is None
    assert audit_entries(app, f"account_{action}") == []


def test_unknown_account_is_404(app, team):
    client = signed_in(app, "admin@example.org")
    assert client.get("/admin/accounts/999").status_code == 404
    token = csrf_token(client.get("/admin/accounts"))
    assert (
        client.post("/admin/accounts/999/deactivate", data={"csrf_token": token}).status_code == 404
    )


def test_deactivation_without_csrf_token_changes_nothing(app, team):
    client = signed_in(app, "admin@example.org")
    response = client.post(f"/admin/accounts/{team['official']}/deactivate")
    assert response.status_code == 400
    assert user(app, "official@example.org").active


# -- the list and creating ---------------------------------------------------------------


def test_admin_sees_every_account_with_role_official_and_status(app, team, world):
    client = signed_in(app, "admin@example.org")
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "Adam Admin" in page and "admin@example.org" in page
    assert "Administratör" in page and "Registrator" in page and "Handläggare" in page
    assert "Anna Regionråd" in page  # the official linked to official@example.org
    assert "Aktiv" in page
    assert 'href="/admin/accounts/new"' in page


def test_new_account_signs_in_with_temporary_password_and_must_change_it(app, team):
    admin = signed_in(app, "admin@example.org")
    response = create(admin)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert TEMPORARY in response.get_data(as_text=True)
    created = user(app, "ny.person@example.org")
    assert created.must_change_password and created.role == "official"
    assert created.check_password(TEMPORARY)

    newcomer = app.test_client()
    response = AuthActions(newcomer).login(email="NY.PERSON@example.org", password=TEMPORARY)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/password")
    desk = newcomer.get("/desk/")
    assert desk.status_code == 302
    assert desk.headers["Location"].startswith("/account/password")

    page = newcomer.get("/account/password")
    assert "tillfälligt lösenord" in page.get_data(as_text=True)
    own = "mitt eget långa lösenord"
    response = newcomer.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": TEMPORARY,
            "new_password": own,
            "confirm": own,
        },
    )
    assert response.status_code == 302
    assert newcomer.get("/desk/").status_code == 200
    assert not user(app, "ny.person@example.org").must_change_password


def test_empty_temporary_password_is_generated_and_shown_once(app, team):
    admin = signed_in(app, "admin@example.org")
    response = create(admin, temporary_password="")
    assert response.status_code == 200  # shown on this page, not carried by a redirect
    assert response.headers["Cache-Control"] == "no-store"
    password = PASSWORD_ON_PAGE.search(response.get_data(as_text=True)).group(1)
    assert len(password) >= 16
    assert user(app, "ny.person@example.org").check_password(password)
    for path in ("/admin/accounts", f"/admin/accounts/{user(app, 'ny.person@example.org').id}"):
        assert password not in admin.get(path).get_data(as_text=True)
    response = AuthActions(app.test_client()).login(
        email="ny.person@example.org", password=password
    )
    assert response.headers["Location"].startswith("/account/password")


def test_new_account_can_be_linked_to_an_official(app, team, records):
    official = records.official(name="Olle Ombudsman", title="politisk sekreterare")
    admin = signed_in(app, "admin@example.org")
    assert "Olle Ombudsman" in admin.get("/admin/accounts/new").get_data(as_text=True)
    assert create(admin, official_id=str(official), role="registrar").status_code == 200
    created = user(app, "ny.person@example.org")
    assert (created.official_id, created.role) == (official, "registrar")


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"email": "inte-en-adress"}, 400, "Ange en e-postadress"),
        (
            {"email": "OFFICIAL@Example.org"},
            409,
            "Ett annat konto har redan den här e-postadressen",
        ),
        (
            {"email": "ｏｆｆｉｃｉａｌ@ｅｘａｍｐｌｅ.ｏｒｇ"},  # full-width look-alike
            409,
            "Ett annat konto har redan den här e-postadressen",
        ),
        ({"name": ""}, 400, "Ange personens namn"),
        ({"name": " \u200b "}, 400, "Skriv det med synliga tecken"),
        ({"role": "king"}, 400, "Välj ett av alternativen i listan"),
        ({"official_id": "99"}, 400, "Välj ett av alternativen i listan"),
        ({"official_id": "x"}, 400, "Välj ett av alternativen i listan"),
        ({"temporary_password": "kort"}, 400, "Ett lösenord ska vara 12 till 128 tecken"),
    ],
)
def test_bad_new_account_gets_a_message_and_creates_nothing(app, team, overrides, status, message):
    admin = signed_in(app, "admin@example.org")
    before = count_users(app)
    response = create(admin, **overrides)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count_users(app) == before
    assert audit_entries(app, "account_create") == []


def test_official_cannot_be_linked_to_two_active_accounts(app, team, world):
    admin = signed_in(app, "admin@example.org")
    response = create(admin, official_id=str(world["official"]))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Tjänstepersonen är redan kopplad till det aktiva kontot official@example.org" in page
    assert user(app, "ny.person@example.org") is None


# -- changing -------------------------------------------------------------------------


def test_admin_changes_role_name_email_and_official(app, team, records):
    official = records.official(name="Olle Ombudsman", title="politisk sekreterare")
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['registrar']}"
    page = admin.get(path)
    assert 'value="registrar@example.org"' in page.get_data(as_text=True)
    response = admin.post(
        path,
        data=account_form(
            csrf_token(page),
            email="Rut.R@Example.org",
            name="Rut Registrator",
            role="official",
            official_id=str(official),
            temporary_password="",
        ),
    )
    assert response.status_code == 302
    assert "Kontot är sparat" in admin.get(response.headers["Location"]).get_data(as_text=True)
    changed = user(app, "rut.r@example.org")
    assert (changed.name, changed.role, changed.official_id) == (
        "Rut Registrator",
        "official",
        official,
    )
    assert changed.check_password(PASSWORD) and not changed.must_change_password
    [(actor, _, target, before, after)] = audit_entries(app, "account_update")
    assert actor == "admin@example.org" and target == team["registrar"]
    assert before["role"] == "registrar" and after["role"] == "official"
    assert after["email"] == "rut.r@example.org" and after["official_id"] == official


def test_saving_an_unchanged_account_records_nothing(app, team):
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['registrar']}"
    data = account_form(
        csrf_token(admin.get(path)),
        email="registrar@example.org",
        name="Rut",
        role="registrar",
        temporary_password="",
    )
    response = admin.post(path, data=data)
    assert response.status_code == 302
    assert "Inget ändrades" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert audit_entries(app, "account_update") == []


def test_email_change_to_anothers_address_is_refused(app, team):
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['registrar']}"
    data = account_form(
        csrf_token(admin.get(path)), email="Official@EXAMPLE.org", name="Rut", role="registrar"
    )
    response = admin.post(path, data=data)
    assert response.status_code == 409
    assert "Ett annat konto har redan den här e-postadressen" in response.get_data(as_text=True)
    assert user(app, "registrar@example.org").name == "Rut"


def test_new_temporary_password_ends_sessions_and_must_be_changed(app, team):
    holder = signed_in(app, "registrar@example.org")
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['registrar']}"
    data = account_form(
        csrf_token(admin.get(path)), email="registrar@example.org", name="Rut", role="registrar"
    )
    response = admin.post(path, data=data)
    assert response.status_code == 302
    assert holder.get("/desk/").headers["Location"].startswith("/login")
    response = AuthActions(app.test_client()).login(
        email="registrar@example.org", password=PASSWORD
    )
    assert response.status_code == 400  # the old password is gone
    response = AuthActions(app.test_client()).login(
        email="registrar@example.org", password=TEMPORARY
    )
    assert response.headers["Location"].startswith("/account/password")
    [(_, _, _, before, after)] = audit_entries(app, "account_update")
    assert after["temporary_password_set"] and after["must_change_password"]
    assert TEMPORARY not in str(after) and "hash" not in str(after)


def test_admin_cannot_give_themselves_a_temporary_password(app, team):
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['admin']}"
    data = account_form(
        csrf_token(admin.get(path)), email="admin@example.org", name="Adam Admin", role="admin"
    )
    response = admin.post(path, data=data)
    assert response.status_code == 409
    assert "Byt ditt eget lösenord" in response.get_data(as_text=True)
    assert user(app, "admin@example.org").check_password(PASSWORD)


def test_last_active_admin_cannot_be_demoted(app, team, records):
    dormant = records.user(email="dormant@example.org", role="admin", name="Vilande Admin")
    with app.app_context():
        db.session.get(User, dormant).active = False  # an inactive admin does not count
        db.session.commit()
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['admin']}"
    data = account_form(
        csrf_token(admin.get(path)),
        email="admin@example.org",
        name="Adam Admin",
        role="registrar",
        temporary_password="",
    )
    response = admin.post(path, data=data)
    assert response.status_code == 409
    assert "Du kan inte ta ifrån den sista aktiva administratören rollen" in response.get_data(
        as_text=True
    )
    assert user(app, "admin@example.org").role == "admin"
    assert audit_entries(app, "account_update") == []


def test_admin_may_hand_over_the_admin_role(app, team, records):
    records.user(email="second@example.org", role="admin", name="Andra Admin")
    admin = signed_in(app, "admin@example.org")
    path = f"/admin/accounts/{team['admin']}"
    data = account_form(
        csrf_token(admin.get(path)),
        email="admin@example.org",
        name="Adam Admin",
        role="registrar",
        temporary_password="",
    )
    response = admin.post(path, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert user(app, "admin@example.org").role == "registrar"


# -- deactivating and reactivating ---------------------------------------------------------


def test_deactivated_account_is_signed_out_at_once_and_cannot_sign_in(app, team):
    holder = signed_in(app, "official@example.org")
    assert holder.get("/desk/").status_code == 200
    admin = signed_in(app, "admin@example.org")
    response = post_action(admin, team["official"], "deactivate")
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kontot är inaktiverat och utloggat överallt" in page

    response = holder.get("/desk/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    response = AuthActions(app.test_client()).login()
    assert response.status_code == 400
    assert "Inaktiverad" in admin.get("/admin/accounts").get_data(as_text=True)

    response = post_action(admin, team["official"], "reactivate")
    assert response.status_code == 302
    assert "Kontot är aktivt igen" in admin.get(response.headers["Location"]).get_data(as_text=True)
    again = signed_in(app, "official@example.org")  # with the password it had
    assert again.get("/desk/").status_code == 200


def test_admin_cannot_deactivate_themselves(app, team):
    admin = signed_in(app, "admin@example.org")
    response = post_action(admin, team["admin"], "deactivate")
    assert response.status_code == 409
    assert "Du kan inte inaktivera ditt eget konto" in response.get_data(as_text=True)
    assert user(app, "admin@example.org").active
    assert admin.get("/admin/accounts").status_code == 200  # still signed in
    assert audit_entries(app, "account_deactivate") == []


def test_last_active_admin_cannot_be_deactivated(app, team):
    with app.app_context(), pytest.raises(accounts.LastAdmin):
        accounts.deactivate(team["admin"], None)
    assert user(app, "admin@example.org").active


def test_reactivation_is_refused_when_the_official_has_another_active_account(
    app, team, world, records
):
    admin = signed_in(app, "admin@example.org")
    post_action(admin, team["official"], "deactivate")
    records.user(email="successor@example.org", official_id=world["official"])
    response = post_action(admin, team["official"], "reactivate")
    assert response.status_code == 409
    assert "successor@example.org" in response.get_data(as_text=True)
    assert not user(app, "official@example.org").active


# -- the audit log and the command line ------------------------------------------------------


def test_every_account_change_is_audited_without_passwords(app, team):
    admin = signed_in(app, "admin@example.org")
    create(admin)
    created = user(app, "ny.person@example.org").id
    path = f"/admin/accounts/{created}"
    admin.post(
        path,
        data=account_form(csrf_token(admin.get(path)), role="registrar", temporary_password=""),
    )
    post_action(admin, created, "deactivate")
    post_action(admin, created, "reactivate")
    for action, active in [
        ("account_create", True),
        ("account_update", True),
        ("account_deactivate", False),
        ("account_reactivate", True),
    ]:
        [(actor, address, target, before, after)] = audit_entries(app, action)
        assert (actor, target, after["active"]) == ("admin@example.org", created, active), action
        assert address != "cli"
        stored = str(before) + str(after)
        assert TEMPORARY not in stored and "password_hash" not in stored and "argon" not in stored


def test_users_create_command_is_audited_from_the_command_line(app, runner):
    result = runner.invoke(
        args=["users", "create", "Cli@Example.org", "--name", "Cli Person", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    created = user(app, "cli@example.org")
    assert not created.must_change_password
    [(actor, address, target, before, after)] = audit_entries(app, "account_create")
    assert (actor, address, target, before) == ("cli", "cli", created.id, None)
    assert after["email"] == "cli@example.org" and after["must_change_password"] is False
    assert "a long enough password" not in str(after) and "password_hash" not in after


def test_users_create_command_refuses_an_official_already_linked(app, runner, world):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "second@example.org",
            "--name",
            "Second",
            "--official-id",
            str(world["official"]),
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "already linked to the active account official@example.org" in result.output
    assert user(app, "second@example.org") is None
