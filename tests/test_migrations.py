"""The schema is made by the migrations, and they match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from register import fulltext
from register.extensions import db


def test_migrations_produce_exactly_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        # As the migrations' own comparison does: the full-text index is made by hand.
        opts = {"compare_type": True, "include_name": fulltext.include_name}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, db.metadata) == []


def test_migrations_go_down_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} <= tables


def test_upgrade_numbers_existing_records_and_hides_draft_organisations(app):
    """A register from before public numbers: its records are numbered in the order they
    were published, its drafts get none, and organisations only drafts or withdrawn records
    name go private."""
    with app.app_context():
        downgrade(revision="e2300c2526fb")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisation (id, name, name_key, kind, created_at) VALUES "
                    "(1, 'Öppen AB', 'öppen ab', 'company', '2026-01-01 00:00:00'),"
                    "(2, 'Hemlig AB', 'hemlig ab', 'company', '2026-01-01 00:00:00'),"
                    "(3, 'Oanvänd AB', 'oanvänd ab', 'company', '2026-01-01 00:00:00'),"
                    "(4, 'Återtagen AB', 'återtagen ab', 'company', '2026-01-01 00:00:00')"
                )
            )
            values = ", ".join(
                f"({id_}, '2026-01-0{id_}', 'video', '', 'region', 'Möte {id_}', '', '', '', "
                f"'', '[]', '{status}', '2026-01-01 00:00:00', {published}, '')"
                for id_, status, published in (
                    (1, "published", "'2026-02-03 10:00:00'"),
                    (2, "draft", "NULL"),
                    (3, "withdrawn", "'2026-02-01 10:00:00'"),
                    (4, "published", "'2026-02-02 10:00:00'"),
                )
            )
            connection.execute(
                text(
                    "INSERT INTO meeting (id, held_on, format, location, initiative, subject, "
                    "summary, outcome, representatives, client, document_links, status, "
                    f"created_at, published_at, withdrawal_reason) VALUES {values}"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO meeting_organisation (meeting_id, organisation_id) "
                    "VALUES (1, 1), (2, 2), (4, 1), (3, 4)"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            numbers = dict(connection.execute(text("SELECT id, number FROM meeting")).all())
            public = dict(connection.execute(text("SELECT name, public FROM organisation")).all())
            counter = connection.execute(text("SELECT value FROM counter")).scalar()
            links = connection.execute(text("SELECT count(*) FROM meeting_organisation")).scalar()
    assert links == 4  # altering the meeting table kept the rows that point at it
    assert numbers == {3: 1, 4: 2, 1: 3, 2: None}
    assert counter == 3
    assert {name: bool(flag) for name, flag in public.items()} == {
        "Öppen AB": True,
        "Hemlig AB": False,
        "Oanvänd AB": True,  # reference data, named by no record
        "Återtagen AB": False,  # named only by a withdrawn record
    }
