"""Benchmark: import a spreadsheet of N meetings through a mapping file, and time it.

    python bench/import.py --rows 100000

Writes a semicolon-separated Windows-1252 file as a region's office would keep it
(day-first dates, the form of the meeting guessed from the place, officials and
organisations several to a cell, organisation numbers on some) and its mapping, in the
system's temporary folder; migrates an empty SQLite register beside them; then runs
`flask --app wsgi import-meetings FILE --map MAPPING` on it as a user would, and reports
the wall time of the whole command. With --database-url the register is that database
instead (it must be empty and migrated; for PostgreSQL).
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from register import create_app  # noqa: E402
from register.identifiers import generate_swedish_org_number  # noqa: E402

MAPPING = """\
[source]
encoding = "cp1252"
date_formats = ["%d-%m-%Y"]

[columns]
date = "Datum"
officials = "Deltagare"
official_titles = "Roll"
unit = "Förvaltning"
organisations = "Organisation"
organisation_numbers = "Org.nr"
subject = "Ämne"
summary = "Anteckningar"
location = "Plats"
issues = "Fråga"

[split]
officials = ","
official_titles = ","
unit = ","
organisations = "/"
organisation_numbers = "/"
issues = "/"

[defaults]
format = "other"
initiative = "region"

[values.format]
column = "Plats"
map = { online = "video", teams = "video", zoom = "video", telefon = "phone" }
default = "in_person"
"""

FIRST = ["Anna", "Bo", "Cecilia", "David", "Eva", "Fredrik", "Greta", "Hans", "Ingrid", "Johan"]
LAST = ["Andersson", "Berg", "Carlsson", "Dahl", "Ek", "Fors", "Gren", "Holm", "Ivarsson", "Lund"]
TITLES = ["regionråd", "trafikdirektör", "kommunikationschef", "nämndsekreterare", "utredare"]
UNITS = ["Regionstyrelsen", "Kollektivtrafiknämnden", "Hälso- och sjukvårdsnämnden"] + [
    f"Förvaltning {n}" for n in range(1, 18)
]
PLACES = ["Online", "Teams", "online", "Zoom", "Telefon", "Regionens hus", "Borås", ""]
WORDS = (
    "dubbelspår tidtabell vätgas laddinfrastruktur vårdplatser kompetensförsörjning "
    "godstrafik hamnen stationsläge biljettpriser samverkan finansiering utredning"
).split()


def write_file(path: Path, rows: int, rng: random.Random) -> None:
    officials = [
        (f"{first} {last}", rng.choice(TITLES), rng.choice(UNITS))
        for first in FIRST
        for last in LAST
    ]
    organisations = []
    for n in range(5_000):
        number = generate_swedish_org_number(rng) if n % 3 == 0 else ""
        organisations.append((f"Organisation {n} AB", number))
    issues = [f"Fråga om {word} {n}" for n in range(8) for word in WORDS[:5]]
    first_day = date(2015, 1, 1)
    lines = ["Datum;Deltagare;Roll;Förvaltning;Organisation;Org.nr;Ämne;Anteckningar;Plats;Fråga"]
    for _ in range(rows):
        held = first_day + timedelta(days=rng.randrange(3_000))
        people = rng.sample(officials, rng.choice((1, 1, 2, 3)))
        orgs = rng.sample(organisations, rng.choice((1, 1, 2)))
        topics = rng.sample(issues, rng.choice((0, 1, 1, 2)))
        subject = " ".join(rng.sample(WORDS, 4)).capitalize()
        summary = " ".join(rng.choices(WORDS, k=rng.randrange(10, 40))).capitalize() + "."
        lines.append(
            ";".join(
                (
                    held.strftime("%d-%m-%Y"),
                    ",".join(p[0] for p in people),
                    ",".join(p[1] for p in people),
                    ",".join(p[2] for p in people),
                    "/".join(o[0] for o in orgs),
                    "/".join(o[1] for o in orgs),
                    subject,
                    summary,
                    rng.choice(PLACES),
                    "/".join(topics),
                )
            )
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database, migrated here (default: SQLite)")
    args = parser.parse_args()

    folder = Path(tempfile.gettempdir())
    data = folder / f"register-bench-import-{args.rows}.csv"
    mapping = folder / "register-bench-import.toml"
    if not data.exists():
        write_file(data, args.rows, random.Random(9))
    mapping.write_text(MAPPING, "utf-8")

    url = args.database_url
    if url is None:
        database = folder / f"register-bench-import-{args.rows}.db"
        for leftover in (database, *(Path(f"{database}{end}") for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        url = f"sqlite:///{database}"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()

    command = ["flask", "--app", "wsgi", "import-meetings", str(data), "--map", str(mapping)]
    environment = os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "PUBLIC_URL": "https://register.example",
    }
    flask = [str(Path(sys.executable).with_name("flask")), *command[1:]]
    started = time.perf_counter()
    finished = subprocess.run(flask, env=environment, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(finished.stdout.strip())
    if finished.returncode:
        print(finished.stderr.strip()[-2000:])
        sys.exit(finished.returncode)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"{' '.join(command[:4])} <{args.rows:,}-row file> --map <mapping>: "
        f"{args.rows:,} rows in {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s); "
        f"the command's CPU time {used.ru_utime + used.ru_stime:.1f} s, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
