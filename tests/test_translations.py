"""The translations ship with the code: the compiled catalogues are committed, match their
sources, and are served without any build step; without one, the page says it is English."""

import gettext
import io
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import register
from register.extensions import babel

from .conftest import make_app

TRANSLATIONS = Path(register.__file__).parent / "translations"
ROOT = TRANSLATIONS.parent.parent
LANGUAGES = ("sv", "da")


def messages(mo: io.BufferedIOBase) -> dict:
    """What a compiled catalogue serves: msgid (or msgid and plural index) to text."""
    catalog = gettext.GNUTranslations(mo)._catalog
    catalog.pop("", None)  # the header: creation dates and the like, not messages
    return catalog


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_up_to_date_with_its_source(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    assert (folder / "messages.mo").is_file(), (
        f"{language}: no compiled catalogue; run `make compile-translations` and commit it"
    )
    with open(folder / "messages.po", "rb") as source:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(source, locale=language))
    compiled.seek(0)
    with open(folder / "messages.mo", "rb") as shipped:
        stale = messages(shipped) != messages(compiled)
    assert not stale, (
        f"{language}: messages.mo differs from messages.po; "
        "run `make compile-translations` and commit both"
    )


SERVE_ONCE = textwrap.dedent(
    """
    from flask_migrate import upgrade
    from register import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    response = app.test_client().get("/", headers={"Accept-Language": "sv"})
    print(response.status_code)
    print(response.get_data(as_text=True))
    """
)


def test_a_fresh_process_serves_swedish_without_a_build_step(tmp_path):
    """The app as a WSGI server would load it after `flask db upgrade`: no make, no compile."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "TEST_"))
    }
    environment |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'register.db'}",
        "SECRET_KEY": "a-secret-for-this-test",
        "PUBLIC_URL": "http://localhost",
        "DEFAULT_LOCALE": "sv",
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVE_ONCE],
        cwd=tmp_path,
        env=environment | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    status, html = result.stdout.split("\n", 1)
    assert status == "200"
    assert '<html lang="sv">' in html
    assert "Sök i registret" in html
    assert "Search the register" not in html
    assert "No compiled catalogue" not in result.stderr


@pytest.fixture
def fresh_catalogues(app):
    """Catalogues loaded anew: the one Babel extension keeps them per process, not per app."""
    with app.app_context():
        cache = babel.domain_instance.cache
    cache.clear()
    yield
    cache.clear()


def test_without_a_catalogue_the_page_says_it_is_english(app, tmp_path, records, fresh_catalogues):
    records.meeting(subject="Möte om dubbelspåret")
    # A handler on the app's own logger: whether its records also reach the root logger
    # (and caplog) depends on what earlier tests configured.
    warnings = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    logging.getLogger("register").addHandler(handler)
    try:
        bare = make_app(
            app.config["SQLALCHEMY_DATABASE_URI"], BABEL_TRANSLATION_DIRECTORIES=str(tmp_path)
        )
    finally:
        logging.getLogger("register").removeHandler(handler)
    assert any("No compiled catalogue for 'sv'" in message for message in warnings)
    html = bare.test_client().get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Search the register" in html
    # The content is still Swedish, and now says so.
    assert 'lang="sv">Möte om dubbelspåret</a>' in html
