"""Benchmark: the pickers' look-up (/desk/lookup/organisations) with many organisations.

    python bench/lookup.py --organisations 100000

Builds a SQLite register of N synthetic organisations (kept in the system's temporary
folder for the next run; --database-url takes another database, e.g. PostgreSQL, which it
fills unless it holds the benchmark's account), signs in an official and asks the look-up for
typical queries — a few letters, a word inside a name, a folded name, an organisation
number, a former name of a merged one, a query that matches nothing — each several times,
through the app. Reports the median and the slowest time per query and overall.
"""

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from register import create_app  # noqa: E402
from register.extensions import db  # noqa: E402
from register.identifiers import generate_swedish_org_number  # noqa: E402
from register.models import Organisation, User  # noqa: E402
from register.text import name_key, search_key  # noqa: E402

FIRST = "Göteborgs Malmö Västra Östra Södra Norra Skånes Hallands Borås Älvsborgs Nordiska "
FIRST += "Svenska Danske Øresunds Ærø Köpenhamns Trollhättans Uddevalla Kungälvs Lerums"
MIDDLE = "Hamn Energi Trafik Vård Bygg Skog Fastighets Cykel Miljö Teknik Handels Fiske "
MIDDLE += "Turism Logistik Kultur Idrotts Läkemedels Livsmedels Bostads Vatten"
LAST = "AB Förening Förbund Stiftelse Kommun Region A/S Aps Group Konsult Råd Institut"
QUERIES = {
    "first letters": "göt",
    "a word inside": "logistik",
    "two words": "malmo hamn",
    "folded": "GOTEBORGS-HAMN",
    "organisation number": "",  # filled in from the data
    "former name": "sammanslagen",
    "no match": "qqqzzz",
}


def make_app(url: str):
    return create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def load(count: int) -> None:
    """N organisations in batches, a few merged ones, and an official's account."""
    rng = random.Random(7)
    first, middle, last = FIRST.split(), MIDDLE.split(), LAST.split()
    started = time.perf_counter()
    numbers = set()
    batch = []
    for position in range(count):
        name = f"{rng.choice(first)} {rng.choice(middle)} {rng.choice(last)} {position}"
        number = generate_swedish_org_number(rng)
        if number in numbers:
            number = None
        numbers.add(number)
        batch.append(
            {
                "name": name,
                "name_key": name_key(name),
                "search_key": search_key(name),
                "kind": "company",
                "org_number": number,
                "public": True,
                "created_at": datetime.now(UTC),
            }
        )
        if len(batch) == 5000:
            db.session.execute(insert(Organisation), batch)
            batch = []
    if batch:
        db.session.execute(insert(Organisation), batch)
    for position in range(1, 11):
        duplicate = Organisation(name=f"Sammanslagen dubblett {position}", kind="company")
        duplicate.public = True
        db.session.add(duplicate)
        db.session.flush()
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == duplicate.id)
            .values(merged_into_id=position, merged_at=datetime.now(UTC))
        )
    user = User(email="bench@example.org", name="Bench", role="official")
    user.set_password("bench")
    db.session.add(user)
    db.session.commit()
    print(f"loaded {count:,} organisations in {time.perf_counter() - started:.1f} s")


def sign_in(client) -> None:
    """Through the sign-in form, CSRF token and all, as a browser would."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"email": "bench@example.org", "password": "bench", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302, "could not sign in"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--database-url", help="a database to use instead of SQLite")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    url = args.database_url
    if not url:
        database = Path(tempfile.gettempdir()) / f"register-bench-lookup-{args.organisations}.db"
        url = f"sqlite:///{database}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        if db.session.scalar(select(User.id).filter_by(email="bench@example.org")) is None:
            load(args.organisations)
        QUERIES["organisation number"] = db.session.scalar(
            select(Organisation.org_number).where(Organisation.org_number.is_not(None)).limit(1)
        ).replace("-", "")
        total = db.session.scalar(select(func.count()).select_from(Organisation))

    client = app.test_client()
    sign_in(client)
    every = []
    print(f"{total:,} organisations; each query {args.repeat} times")
    for label, query in QUERIES.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/desk/lookup/organisations", query_string={"q": query})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        found = len(response.get_json()["results"])
        every += times
        print(
            f"  {label:<20} {query!r:<18} {found:>2} found: median "
            f"{statistics.median(times) * 1000:6.1f} ms, slowest {max(times) * 1000:6.1f} ms"
        )
    print(f"median of all look-ups: {statistics.median(every) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
