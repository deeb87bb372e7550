from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from vardesk.catalog.db import make_engine, make_session_factory
from vardesk.catalog.migrate import alembic_config, current_revision, head_revision, upgrade
from vardesk.catalog.tables import metadata
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.acmg import ManualCriterion


def test_migrations_create_exactly_the_mapped_schema(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def _dummy(col: sa.Column) -> object:
    """A value of the column's type for a required column of a row the test does not care about."""
    t = col.type
    if isinstance(t, sa.JSON):
        return []
    if isinstance(t, sa.Boolean):
        return False
    if isinstance(t, sa.Integer | sa.Float | sa.Numeric):
        return 1
    if isinstance(t, sa.DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if isinstance(t, sa.Enum) and t.enums:
        return t.enums[0]
    text = uuid.uuid4().hex  # strings: unique where a unique key wants it
    return text[: getattr(t, "length", None) or 32]


def _insert(conn: sa.Connection, meta: sa.MetaData, table: str, **given: object) -> int:
    """Insert a row into a table as the schema of the database has it, its parents first."""
    t = meta.tables[table]
    values = dict(given)
    for col in t.columns:
        if col.name in values or col.primary_key or col.nullable or col.server_default is not None:
            continue
        fk = next(iter(col.foreign_keys), None)
        values[col.name] = _insert(conn, meta, fk.column.table.name) if fk else _dummy(col)
    return conn.execute(sa.insert(t).values(**values)).inserted_primary_key[0]


def test_0008_turns_stored_criteria_labels_into_typed_entries(database_url: str) -> None:
    upgrade(database_url, "0007")
    engine = make_engine(database_url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        legacy = ["PVS1", "PM2_Supporting", "PS2_VeryStrong", "BA1", "PM2_Strong"]
        with engine.begin() as conn:
            case = _insert(conn, meta, "cases")
            enums = {"status": "PENDING", "to_report": "DO_NOT_REPORT", "case_id": case}
            rid = _insert(conn, meta, "report_variants", criteria=legacy, **enums)
            empty = _insert(conn, meta, "report_variants", criteria=[], **enums)
        upgrade(database_url)
        with engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT id, criteria FROM report_variants")).all())
        stored = [json.loads(v) if isinstance(v, str) else v for v in (rows[rid], rows[empty])]
        none = {"by": None, "at": None, "comment": None}
        assert stored[0] == [
            {"code": "PVS1", "strength": "VERY_STRONG", **none},
            {"code": "PM2", "strength": "SUPPORTING", **none},
            {"code": "PS2", "strength": "VERY_STRONG", **none},
            {"code": "BA1", "strength": "STAND_ALONE", **none},
            {"code": "PM2", "strength": "STRONG", **none},  # kept as stored, though SVI now refuses it
        ]
        assert stored[1] == []
        # the catalog reads them typed, and shows the same labels clients read before
        with UnitOfWork(make_session_factory(engine)) as uow:
            rv = uow.report_variants.get(rid)
            assert rv is not None and rv.criteria_labels == legacy
            assert all(isinstance(e, ManualCriterion) for e in rv.criteria)
        # and back: downgrade turns entries into labels again
        command.downgrade(alembic_config(database_url), "0007")
        with engine.connect() as conn:
            (raw,) = conn.execute(
                sa.text("SELECT criteria FROM report_variants WHERE id = :i"), {"i": rid}
            ).one()
        assert (json.loads(raw) if isinstance(raw, str) else raw) == legacy
    finally:
        engine.dispose()


def test_0009_gives_files_opaque_ids_and_renames_them_in_their_jobs(database_url: str) -> None:
    upgrade(database_url, "0008")
    engine = make_engine(database_url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        name = "SMITH_JOHN_ACC12345.vcf.gz"
        with engine.begin() as conn:
            study = _insert(conn, meta, "studies")
            plain = dict(study_id=study, name=name, state="READY")
            fid = _insert(conn, meta, "files", code=f"data:{name}", path=f"data/{name}", **plain)
            other = _insert(
                conn, meta, "files", code="b\\:c.vcf", path="b:c.vcf", **{**plain, "name": "b:c.vcf"}
            )
            summary = {"files": [{"file": f"data:{name}", "records_read": 3}]}
            job = _insert(
                conn,
                meta,
                "jobs",
                tool="variant-index",
                state="DONE",
                params={"files": [fid], "annotate": True},
                result=summary,
                progress_message=f"{name} annotated",
            )
            untouched = _insert(
                conn, meta, "jobs", tool="case-analysis", state="DONE", params={}, progress_message=name
            )
        upgrade(database_url)
        with engine.connect() as conn:
            files = {r.id: r for r in conn.execute(sa.text("SELECT id, code, name, path FROM files"))}
            jobs = {
                r.id: r
                for r in conn.execute(sa.text("SELECT id, params, result, progress_message FROM jobs"))
            }
        new = files[fid].code
        assert re.fullmatch(r"file_[0-9a-f]{20}", new) and re.fullmatch(
            r"file_[0-9a-f]{20}", files[other].code
        )
        assert new != files[other].code
        assert (files[fid].name, files[fid].path) == (name, f"data/{name}")  # the name stays, as metadata
        result = json.loads(jobs[job].result) if isinstance(jobs[job].result, str) else jobs[job].result
        assert result == {"files": [{"file": new, "records_read": 3}]}
        assert jobs[job].progress_message == f"file {new} annotated"
        assert jobs[untouched].progress_message == name  # a job that names no file is left alone
        # the catalog reads the file by its new id, and refuses a second file at the same path
        with UnitOfWork(make_session_factory(engine)) as uow:
            assert uow.files.by_code(study, new).id == fid  # type: ignore[union-attr]
            assert uow.files.by_path(study, f"data/{name}").id == fid  # type: ignore[union-attr]
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            _insert(conn, meta, "files", code="file_x", path=f"data/{name}", **plain)
        # and back: the codes are made from the paths again
        command.downgrade(alembic_config(database_url), "0008")
        with engine.connect() as conn:
            codes = dict(conn.execute(sa.text("SELECT id, code FROM files")).all())
            (back,) = conn.execute(sa.text("SELECT result FROM jobs WHERE id = :i"), {"i": job}).one()
        assert codes == {fid: f"data:{name}", other: "b\\:c.vcf"}
        assert (json.loads(back) if isinstance(back, str) else back) == summary
    finally:
        engine.dispose()
