"""PHI canary: a whole case made of distinctive PHI values, driven through the native API and the Fabric
face of a real server; no canary may reach a log record, a URL or id the server hands out, or the error
body of a refused request that did not itself carry it."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.api.phi_world import (
    API,
    CANARIES,
    CASE,
    CLIENT_CHOSEN_IDS,
    SAMPLES,
    STUDY,
    Scenario,
    prepare,
    run,
)
from tests.conftest import LiveServer
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.ids import is_file_code

_STANDARD = set(vars(logging.makeLogRecord({})))
# catalog columns holding ids and codes the server generates (client-chosen ones: CLIENT_CHOSEN_IDS)
ID_COLUMN = re.compile(r"^(id|uuid|code|.*_id|.*_uuid|.*_code|blob.*|.*_key|.*path)$")
# the one id-like column that is the client's metadata: the path it gave its upload (folder + file name),
# shown as the OpenCGA file's ``path`` to readers of the file, never used as an id
METADATA_COLUMNS = {("files", "path")}
FILE_NAME = (CANARIES["vcf_name"], CANARIES["vcf_stem"])


def find_canaries(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The canary values in ``text``, after removing the ``allowed`` (client-chosen) ids from it."""
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, "")
    low = text.lower()
    return [v for v in CANARIES.values() if v.lower() in low]


def record_texts(record: logging.LogRecord) -> Iterator[str]:
    """Everything a log record carries: the message, its arguments, the exception and every extra field."""
    yield record.getMessage()
    yield str(record.msg)
    if record.exc_info:
        yield logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        yield record.exc_text
    for key, value in vars(record).items():
        if key not in _STANDARD or key == "args":
            yield f"{key}={value!r}"


def test_the_scanner_finds_a_planted_canary() -> None:
    assert find_canaries("nothing here") == []
    assert find_canaries("patient zqxcanarysmith seen") == [CANARIES["last_name"]]
    assert find_canaries(f"/files/{CANARIES['proband']}", allowed=CLIENT_CHOSEN_IDS) == []
    # the file name is not a client-chosen id: found wherever it is
    found = find_canaries(f"/files/{CANARIES['vcf_name']}/info", allowed=CLIENT_CHOSEN_IDS)
    assert set(FILE_NAME) <= set(found), found
    rec = logging.makeLogRecord({"msg": "upload %s", "args": ("ok",), "patient": CANARIES["accession"]})
    assert find_canaries("\n".join(record_texts(rec))) == [CANARIES["accession"]]


@pytest.fixture(scope="module")
def captured(
    module_services: Services, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Scenario, list[logging.LogRecord]]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.DEBUG)
    # the product's loggers and those of the libraries serving it (uvicorn, SQLAlchemy, the job runner)
    loggers = [logging.getLogger(n) for n in ("vardesk", "uvicorn", "uvicorn.error", "sqlalchemy", "")]
    saved = [(lg, lg.level) for lg in loggers]
    logging.getLogger("vardesk").setLevel(logging.DEBUG)
    logging.getLogger("").addHandler(handler)
    for name in ("vardesk", "uvicorn", "uvicorn.error"):
        if not logging.getLogger(name).propagate:
            logging.getLogger(name).addHandler(handler)
    tmp = tmp_path_factory.mktemp("canary")
    world = prepare(module_services, tmp)
    try:
        with LiveServer(module_services) as srv:
            sc = run(srv, world, tmp)
            refused(sc)
            by_name(sc)
            yield sc, records
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        for lg, level in saved:
            lg.setLevel(level)


def refused(sc: Scenario) -> None:
    """Requests the server refuses; none of them carries a canary, so neither may the answer."""
    fab = sc.server.services.settings.fabric_prefix.rstrip("/")
    rid = sc.report_id
    viewer = sc.world.member("lab-a", Role.VIEWER).basic
    other = sc.world.member("lab-b", Role.ANALYST).basic
    case = f"/analysis/clinical/{CASE}"
    sc.refusals = [  # type: ignore[attr-defined]
        sc.call("POST", API + f"{case}/approve?study={STUDY}"),  # not a director
        sc.call("GET", API + f"{case}/report/final?study={STUDY}"),  # not approved
        sc.call("POST", API + f"{case}/update?study={STUDY}", viewer, json={"title": "x"}),
        sc.call("GET", API + f"{case}/info?study={STUDY}", other),  # another workspace
        sc.call("POST", API + f"{case}/update?study={STUDY}", json={"status": {"id": "NOPE"}}),
        sc.call(
            "POST", API + f"{case}/variant/{sc.variant_id}/update?study={STUDY}", json={"criteria": ["X9"]}
        ),
        sc.call("GET", f"{fab}/reports/{rid}/pdf_report"),
        sc.call("GET", f"{fab}/reports/{rid}", other),
        sc.call("GET", f"{fab}/reports/{rid}/patient_fields", other),
        sc.call("POST", f"{fab}/reports/{rid}/patient_fields", json=["not", "an", "object"]),
        sc.call("PUT", f"{fab}/reports/{rid}/variants/{sc.variant_id}", viewer, json={"status": "REVIEWED"}),
        sc.call("GET", f"{fab}/reports/{rid}/variants/999999"),
    ]


def by_name(sc: Scenario) -> None:
    """A client that knows its file only by name: found by files/search?name= (audited), never by the name
    as an id (a path segment or an index request)."""
    engine = sc.server.services.engine
    reads = sa.text("SELECT COUNT(*) FROM audit_log WHERE action = 'file_read'")
    with engine.connect() as conn:
        before = conn.execute(reads).scalar_one()
    name = CANARIES["vcf_name"]
    sc.by_name = {  # type: ignore[attr-defined]
        "search": sc.call("GET", API + "/files/search", params={"study": STUDY, "name": name}),
        "info": sc.call("GET", API + f"/files/{name}/info?study={STUDY}"),
        "index": sc.call("POST", API + f"/operation/variant/index?study={STUDY}", json={"file": name}),
        "job": sc.call("GET", API + f"/jobs/{sc.index_job}/info?study={STUDY}"),
    }
    with engine.connect() as conn:
        sc.reads_by_name = conn.execute(reads).scalar_one() - before  # type: ignore[attr-defined]


def test_the_scenario_really_holds_the_canaries(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    """Guard against a scan that passes because the PHI never arrived."""
    sc, records = captured
    assert records, "nothing was logged: the capture is not wired"
    fab = sc.server.services.settings.fabric_prefix.rstrip("/")
    fields = sc.call("GET", f"{fab}/reports/{sc.report_id}/patient_fields").text
    for key in ("first_name", "last_name", "dob", "accession", "mrn"):
        assert CANARIES[key] in fields, key
    variant = sc.call("GET", f"{fab}/reports/{sc.report_id}/variants/{sc.variant_id}").json()
    assert CANARIES["internal_note"] in str(variant["internal_notes"]), variant
    native = sc.call("GET", API + f"/analysis/clinical/interpretation/{CASE}.1/info?study={STUDY}").text
    assert CANARIES["variant_note"] in native
    assert find_canaries(json.dumps(sc.case)), sc.case


def test_no_canary_in_any_log_record(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    _, records = captured
    leaks = [
        (r.name, r.levelname, text[:200]) for r in records for text in record_texts(r) if find_canaries(text)
    ]
    assert not leaks, leaks


def test_no_canary_in_urls_the_server_hands_out(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    """Location headers, download file names and links in bodies ("href", "url", "...Url" fields)."""
    sc, _ = captured
    assert sc.responses
    leaks = []
    for r in sc.responses:
        for header in ("location", "content-location", "content-disposition", "link"):
            if header in r.headers and find_canaries(r.headers[header]):
                leaks.append((r.request.url, header, r.headers[header]))
        if r.headers.get("content-type", "").startswith("application/json"):
            for url in re.findall(r'"(?:[a-z][a-z0-9+.-]*://|/)[^"\s]*"', r.text):
                # a link to a route may name a client-chosen id (a sample); any other link (a stored
                # file's vardesk:// uri) is the server's own
                to_route = url.startswith(('"/', f'"{sc.server.url}'))
                if find_canaries(url, CLIENT_CHOSEN_IDS if to_route else ()):
                    leaks.append((r.request.url, "body link", url))
    assert not leaks, leaks


def test_no_canary_in_ids_the_server_generates(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    """Every id-like column of the catalog (uuids, codes, blob ids, paths of stored files, job codes) and the
    ids in the Fabric face's answers; the ids the client chose itself are allowed (CLIENT_CHOSEN_IDS)."""
    sc, _ = captured
    leaks = []
    meta = sa.MetaData()
    meta.reflect(sc.server.services.engine)
    with sc.server.services.engine.connect() as conn:
        for table in meta.sorted_tables:
            cols = [
                c
                for c in table.columns
                if ID_COLUMN.match(c.name) and (table.name, c.name) not in METADATA_COLUMNS
            ]
            for row in conn.execute(sa.select(*cols)) if cols else []:
                for col, value in zip(cols, row, strict=True):
                    if isinstance(value, str) and find_canaries(value, CLIENT_CHOSEN_IDS):
                        leaks.append((table.name, col.name, value))
    assert not find_canaries(sc.file_uuid)
    fab = sc.server.services.settings.fabric_prefix.rstrip("/")
    for doc in (sc.call("GET", f"{fab}/genomes").json(), sc.call("GET", f"{fab}/reports/").json()):
        for key, value in _walk(doc):
            if key in ("id", "uuid", "genome_id", "report_id", "job_id", "file_id") and find_canaries(
                str(value)
            ):
                leaks.append(("fabric", key, value))
    blobs = Path(sc.server.services.settings.data_dir)
    leaks += [("blob store", str(p)) for p in blobs.rglob("*") if find_canaries(str(p.relative_to(blobs)))]
    assert not leaks, leaks


def _walk(doc: object, key: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _walk(v, k)
    elif isinstance(doc, list):
        for v in doc:
            yield from _walk(v, key)
    else:
        yield key, doc


def test_refused_requests_do_not_echo_phi(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    sc, _ = captured
    refusals: list[requests.Response] = sc.refusals  # type: ignore[attr-defined]
    assert all(400 <= r.status_code < 500 for r in refusals), [
        (r.request.url, r.status_code) for r in refusals
    ]
    leaks = [(r.request.url, r.text[:300]) for r in refusals if find_canaries(r.text)]
    assert not leaks, leaks


def test_the_file_id_is_made_by_the_server(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    """The upload's id carries nothing of its name; the name is the file's metadata, shown to its reader,
    and the other records name the file by its id."""
    sc, _ = captured
    f = sc.file
    assert f["name"] == CANARIES["vcf_name"]  # the canary arrived, and its reader sees it
    assert is_file_code(f["id"]), f["id"]
    ids = json.dumps({k: f[k] for k in ("id", "uuid", "uri", "sampleIds")})
    assert not find_canaries(ids, CLIENT_CHOSEN_IDS), ids
    r = sc.call("GET", API + f"/samples/search?study={STUDY}&id={SAMPLES[0]}")
    assert r.json()["responses"][0]["results"][0]["fileIds"] == [f["id"]]


def test_a_file_is_found_by_name_only_through_search(
    captured: tuple[Scenario, list[logging.LogRecord]],
) -> None:
    sc, _ = captured
    answers: dict[str, requests.Response] = sc.by_name  # type: ignore[attr-defined]
    found = answers["search"].json()["responses"][0]["results"]
    assert [x["id"] for x in found] == [sc.file["id"]], answers["search"].text[:300]
    assert sc.reads_by_name >= 1  # type: ignore[attr-defined]  the search by name is audited
    info = answers["info"]
    assert info.status_code == 400 and info.json()["responses"][0]["results"] == [], info.text[:300]
    messages = [e["message"] for e in info.json()["responses"][0]["events"]]
    assert messages and not find_canaries(json.dumps(messages)), messages
    index = answers["index"]
    assert 400 <= index.status_code < 500 and not find_canaries(index.text), index.text[:300]


def test_no_canary_in_job_records(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    """Every job's params, description, progress message, result and error, as stored and as the native face
    shows the indexing job."""
    sc, _ = captured
    with sc.server.services.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT code, tool, params, description, progress_message, result, error FROM jobs")
        ).all()
    assert {r.tool for r in rows} >= {"variant-index", "case-analysis"}, [r.tool for r in rows]
    leaks = [
        (r.code, found) for r in rows if (found := find_canaries(" ".join(map(str, r)), CLIENT_CHOSEN_IDS))
    ]
    job = sc.by_name["job"]  # type: ignore[attr-defined]
    assert job.status_code == 200 and sc.index_job in job.text, job.text[:300]
    leaks += [("native job", found) for found in [find_canaries(job.text, CLIENT_CHOSEN_IDS)] if found]
    assert not leaks, leaks


def test_no_canary_in_audit_rows(captured: tuple[Scenario, list[logging.LogRecord]]) -> None:
    """Audit rows name entities by id; their details never quote a file name or another PHI value."""
    sc, _ = captured
    with sc.server.services.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, entity_type, entity_id, details FROM audit_log")).all()
    assert any(r.action == "file_upload" for r in rows)
    leaks = [r for r in rows if find_canaries(" ".join(map(str, r)), CLIENT_CHOSEN_IDS)]
    assert not leaks, leaks
