from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings
from vardesk.app.composition import build_services
from vardesk.domain.ids import is_file_code


def run(
    args: list[str], data_dir: Path, database_url: str, stdin: str | None = None, migrate: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VARDESK_DATA_DIR": str(data_dir),
        "VARDESK_DATABASE_URL": database_url,
        "VARDESK_HASH_TIME_COST": "1",
        "VARDESK_HASH_MEMORY_KIB": "8192",
        "VARDESK_AUTO_MIGRATE": "true" if migrate else "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "vardesk.cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_admin_commands_issue_working_credentials(database_url: str, tmp_path: Path) -> None:
    d = tmp_path / "data"
    r = run(["admin", "create-workspace", "Clinical Genomics Lab", "--code", "cgl"], d, database_url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["code"] == "cgl"
    r = run(
        ["admin", "create-user", "--workspace", "cgl", "--email", "ana@cgl.org", "--role", "analyst"],
        d,
        database_url,
    )
    assert r.returncode == 0, r.stderr
    user = json.loads(r.stdout)
    assert user["role"] == "analyst" and len(user["password"]) >= 12
    r = run(["admin", "create-api-key", "--workspace", "cgl", "--user", "ana@cgl.org"], d, database_url)
    assert r.returncode == 0, r.stderr
    key = json.loads(r.stdout)
    assert set(key) == {"login", "password"}
    services = build_services(make_settings(d, database_url))
    try:
        assert services.auth.authenticate_basic(key["login"], key["password"]).login == "ana@cgl.org"
        assert services.auth.login("ana@cgl.org", user["password"]).token
    finally:
        services.close()


def test_password_from_stdin_is_not_echoed(database_url: str, tmp_path: Path) -> None:
    d = tmp_path / "data"
    assert run(["admin", "create-workspace", "Lab"], d, database_url).returncode == 0
    r = run(
        [
            "admin",
            "create-user",
            "--workspace",
            "lab",
            "--email",
            "d@lab.org",
            "--role",
            "director",
            "--password-stdin",
        ],
        d,
        database_url,
        stdin="a long enough password\n",
    )
    assert r.returncode == 0 and "password" not in json.loads(r.stdout)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["admin", "create-user", "--workspace", "nope", "--email", "a@b.org", "--role", "viewer"],
            1,
            "workspace 'nope' not found",
        ),
        (
            ["admin", "create-api-key", "--workspace", "lab", "--user", "ghost@lab.org"],
            1,
            "no user 'ghost@lab.org' in workspace 'lab'",
        ),
        (["admin", "create-workspace", "Lab"], 1, "workspace 'lab' already exists"),
        (
            ["admin", "create-user", "--workspace", "lab", "--email", "not-an-email", "--role", "viewer"],
            1,
            "is not an e-mail address",
        ),
        (
            ["admin", "create-user", "--workspace", "lab", "--email", "a@b.org", "--role", "boss"],
            2,
            "invalid choice",
        ),
    ],
)
def test_errors_have_exit_codes_and_messages(
    database_url: str, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    d = tmp_path / "data"
    assert run(["admin", "create-workspace", "Lab"], d, database_url).returncode == 0
    r = run(args, d, database_url)
    assert r.returncode == code
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_unmigrated_database_is_refused_until_db_upgrade(database_url: str, tmp_path: Path) -> None:
    d = tmp_path / "data"
    r = run(["admin", "create-workspace", "Lab"], d, database_url, migrate=False)
    assert r.returncode == 1 and "run `vardesk db upgrade` first" in r.stderr
    r = run(["db", "upgrade"], d, database_url, migrate=False)
    assert r.returncode == 0 and "schema revision" in r.stdout
    assert run(["admin", "create-workspace", "Lab"], d, database_url, migrate=False).returncode == 0


def test_demo_prints_credentials_that_work(database_url: str, tmp_path: Path) -> None:
    d = tmp_path / "data"
    r = run(["demo"], d, database_url)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["url"].endswith("/api/v2") and info["study"] == "demo@demo:default"
    services = build_services(make_settings(d, database_url))
    try:
        assert services.auth.authenticate_basic(info["api_key"]["login"], info["api_key"]["password"])
        analyst = info["users"][0]
        assert services.auth.login(analyst["user"], analyst["password"]).token
    finally:
        services.close()
    again = json.loads(run(["demo"], d, database_url).stdout)  # idempotent, new secrets
    assert again["api_key"]["login"] != info["api_key"]["login"]


def test_report_approve_and_pdf_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    from tests.world import build_world
    from vardesk.domain.enums import Role

    d = tmp_path / "data"
    services = build_services(make_settings(d, database_url))
    try:
        world = build_world(services, ("lab",))
        analyst = world.member("lab", Role.ANALYST)
        services.projects.create_project(analyst.actor, {"id": "p"})
        view = services.cases.create(
            analyst.actor,
            "p:default",
            {
                "id": "CASE1",
                "type": "exome",
                "members": [{"relation": "PROBAND"}],
                "patient_fields": {"Last Name": "Doe"},
            },
        )
        with services.ctx.uow() as uow:
            case = uow.cases.get(view.case.id)
            case.status, case.last_interpreter_id = "WAITING FOR APPROVAL", analyst.actor.user_id
            uow.commit()
        case_id = str(view.case.id)
    finally:
        services.close()
    pdf = tmp_path / "final.pdf"
    r = run(["report", "pdf", case_id, "--final", "-o", str(pdf)], d, database_url)
    assert r.returncode == 1 and "only once the case is approved" in r.stderr
    r = run(["report", "approve", case_id, "--as", analyst.email], d, database_url)
    assert r.returncode == 1 and "director role" in r.stderr
    director = world.member("lab", Role.DIRECTOR)
    r = run(["report", "approve", "CASE1", "--as", director.email], d, database_url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "APPROVED"
    r = run(["report", "approve", case_id, "--as", director.email], d, database_url)
    assert r.returncode == 1 and "already approved" in r.stderr
    r = run(["report", "pdf", case_id, "--final", "-o", str(pdf)], d, database_url)
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "DOE" in text.upper() and "No reportable variants" in text


def test_genome_import_waits_and_summarises(database_url: str, tmp_path: Path) -> None:
    from tests.conftest import TESTDATA

    d = tmp_path / "data"
    assert run(["admin", "create-workspace", "Lab"], d, database_url).returncode == 0
    assert (
        run(
            ["admin", "create-user", "--workspace", "lab", "--email", "boss@lab.org", "--role", "admin"],
            d,
            database_url,
        ).returncode
        == 0
    )
    services = build_services(make_settings(d, database_url))
    try:
        from vardesk.cli.data import operator_actor

        services.projects.create_project(operator_actor(services, "lab", None), {"id": "giab"})
    finally:
        services.close()
    vcf = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
    r = run(
        [
            "genome",
            "import",
            "--workspace",
            "lab",
            "--project",
            "giab",
            "--path",
            "data/",
            "--wait",
            str(vcf),
        ],
        d,
        database_url,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["state"] == "DONE" and summary["records_read"] == 9940 and summary["build"] == "GRCh37"
    assert [g["sample"] for g in summary["genomes"]] == ["HG002", "HG003", "HG004"]
    assert is_file_code(summary["file"]) and summary["seconds"] > 0
    assert "ashk-trio" not in r.stderr  # progress lines do not name the file (file names carry PHI)
    # the same samples again: refused, not silently renamed; named explicitly, imported under those ids
    again = ["genome", "import", "--workspace", "lab", "--project", "giab", "--path", "rerun/", str(vcf)]
    r = run(again, d, database_url)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "\nvardesk: error: sample 'HG002' already exists in this study" in r.stderr
    assert "--sample-name" in r.stderr
    r = run([*again, "--sample-name", "HG002"], d, database_url)
    assert r.returncode == 1 and "--sample-name takes SAMPLE=ID; got 'HG002'" in r.stderr
    names = [a for s in ("HG002", "HG003", "HG004") for a in ("--sample-name", f"{s}={s}-rerun")]
    r = run([*again, *names], d, database_url)
    assert r.returncode == 0, r.stderr
    assert [g["sample"] for g in json.loads(r.stdout)["genomes"]] == [
        "HG002-rerun",
        "HG003-rerun",
        "HG004-rerun",
    ]
    clinvar = TESTDATA / "clinvar" / "clinvar_20191007.vcf.gz"
    r = run(
        ["genome", "import", "--workspace", "lab", "--project", "giab", "--wait", str(clinvar)],
        d,
        database_url,
    )
    assert r.returncode == 1 and "no sample columns" in r.stderr
