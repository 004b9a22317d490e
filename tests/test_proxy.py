"""Behind nginx or a load balancer, the audit log records the visitor's address, taken
from X-Forwarded-For only when FORWARDED_PROXIES says how many proxies to trust."""

from sqlalchemy import select

from register.extensions import db
from register.models import AuditEntry

from .conftest import AuthActions, make_app

FORWARDED = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}


def signed_in_from(app, headers) -> str:
    client = app.test_client()
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    AuthActions(client).login()
    with app.app_context():
        return db.session.scalars(select(AuditEntry.address)).one()


def test_the_address_a_trusted_proxy_saw_is_recorded(app, world):
    behind_one_proxy = make_app(app.config["SQLALCHEMY_DATABASE_URI"], FORWARDED_PROXIES=1)
    try:
        assert signed_in_from(behind_one_proxy, FORWARDED) == "203.0.113.9"
    finally:
        with behind_one_proxy.app_context():
            db.engine.dispose()


def test_forwarded_addresses_are_ignored_unless_proxies_are_trusted(app, world):
    assert signed_in_from(app, FORWARDED) == "127.0.0.1"
