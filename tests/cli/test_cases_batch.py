"""``vardesk cases batch``: Emedgene's batch CSV (contract §1.10), the GIAB trio in a local storage provider.

The command runs in-process (``vardesk.cli.main.main``) on the module's catalog and data directory; one
subprocess checks the exit status and the single error line as a user sees them."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.console import assert_clean_failure, vardesk
from tests.conftest import TESTDATA
from tests.world import World, build_world
from vardesk.app.cases.emedgene_batch import COLUMNS, read_batch
from vardesk.app.composition import Services
from vardesk.cli.main import main
from vardesk.domain.enums import Role

SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
VCF = "/run1/trio/trio.hard-filtered.vcf.gz"


@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    return build_world(module_services, ("lab-a", "lab-b"))


@pytest.fixture(scope="module")
def provider(module_services: Services, world: World, tmp_path_factory: pytest.TempPathFactory) -> int:
    root = tmp_path_factory.mktemp("runs")
    (root / "run1" / "trio").mkdir(parents=True)
    shutil.copy(SLICE / "ashk_SAMD11.vcf.gz", root / "run1" / "trio" / "trio.hard-filtered.vcf.gz")
    (root / "run1" / "trio" / "trio.bam").write_bytes(b"not a bam")
    ws = module_services.admin.get_workspace("lab-a")
    return module_services.storage_providers.add_local(ws.id or 0, "Run folders", root).id or 0


@pytest.fixture(scope="module", autouse=True)
def environment(module_services: Services) -> Iterator[None]:
    """The command line opens the module's catalog and data directory."""
    settings = module_services.settings
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VARDESK_DATA_DIR", str(settings.data_dir))
        mp.setenv("VARDESK_DATABASE_URL", settings.database_url)
        mp.delenv("VARDESK_TRACEBACK", raising=False)
        yield


def batch_file(path: Path, rows: list[dict[str, str]], extra: tuple[str, ...] = ()) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["[Data]"])
    writer.writerow([*COLUMNS, *extra])
    for row in rows:
        writer.writerow([row.get(c, "") for c in (*COLUMNS, *extra)])
    path.write_text(out.getvalue())
    return path


def trio(family: str, storage: int, **proband: str) -> list[dict[str, str]]:
    def person(relation: str, sex: str, sample: str, **cells: str) -> dict[str, str]:
        return {
            "Family Id": family,
            "Case Type": "Whole Genome",
            "Files Names": VCF,
            "BioSample Name": sample,
            "Visualization Files": "/run1/trio/trio.bam",
            "Storage Provider Id": str(storage),
            "Execute Now": "true",
            "Relation": relation,
            "Sex": sex,
            "Phenotypes": "unaffected",
            **cells,
        }

    return [
        person(
            "proband",
            "M",
            "HG002",
            **{
                "Phenotypes": "",
                "Phenotypes Id": "HP:0001263;HP:0001250",
                "Date Of Birth": "2019/02/28",
                "Boost Genes": "true",
                "Selected Preset": "Default",
                "Clinical Notes": "developmental delay, seizures",
                "Due Date": "2027-01-15",
                "Opt In": "false",
                **proband,
            },
        ),
        person("father", "male", "HG003"),
        person("mother", "F", "HG004"),
    ]


def results(path: Path) -> list[dict[str, str]]:
    lines = path.read_text().splitlines()
    assert lines[0] == "[Data]"
    return list(csv.DictReader(lines[1:]))


def emedgene_cases(services: Services, world: World) -> list[str]:
    actor = world.member("lab-a", Role.ADMIN).actor
    study = services.case_intake.home(actor, services.settings.emedgene_project)
    return sorted(v.case.code for v in services.cases.search(actor, study, {})) if study else []


def test_a_trio_batch_creates_one_case_per_family_and_writes_the_results(
    module_services: Services, world: World, provider: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = emedgene_cases(module_services, world)
    rows = trio("FAM-1", provider, Institution="CHUSJ") + trio("FAM-2", provider)
    source = batch_file(tmp_path / "run.csv", rows, extra=("Institution",))
    analyst = world.member("lab-a", Role.ANALYST).email
    assert main(["cases", "batch", str(source), "--workspace", "lab-a", "--as", analyst]) == 0
    out = capsys.readouterr()
    assert '"created": 2' in out.out and '"failed": 0' in out.out
    assert "creating cases: 2 of 2" in out.err  # the progress lines (not a terminal here)

    table = results(tmp_path / "run_results.csv")
    assert [r["BioSample Name"] for r in table] == [r["BioSample Name"] for r in rows]
    assert all(r["Errors"] == "" for r in table)
    names = [r["Case Id"] for r in table]
    assert len(set(names[:3])) == 1 and len(set(names[3:])) == 1 and names[0] != names[3]
    assert all(n.startswith("EMG") and len(n) == 12 and n[3:].isdigit() for n in names)
    assert emedgene_cases(module_services, world) == sorted(before + [names[0], names[3]])

    actor = world.member("lab-a", Role.ANALYST).actor
    study = module_services.case_intake.home(actor, module_services.settings.emedgene_project)
    view = module_services.cases.get(actor, names[0], study)
    assert sorted(m.relation for m, _ in view.members) == ["FATHER", "MOTHER", "PROBAND"]
    samples = {m.relation: g.sample_name for m, g in view.members if g is not None}
    assert samples == {"PROBAND": "HG002", "FATHER": "HG003", "MOTHER": "HG004"}  # imported from the provider
    assert sorted(t["id"] for t in view.case.hpo_terms) == ["HP:0001250", "HP:0001263"]
    record = view.case.external_ids["emedgene"]
    assert record["sharing_level"] == 0 and record["should_upload"] is False
    assert record["boostGenes"] is True and record["extra_data"] == {"Institution": "CHUSJ"}
    assert record["selected_preset_set"] == "Default" and record["type"] == "Whole Genome"
    assert view.case.patient_fields["Patient DOB"] == "2019-02-28"


def test_a_file_with_bad_rows_names_each_problem_and_creates_nothing(
    module_services: Services, world: World, provider: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = trio("FAM-3", provider)
    rows[1]["Relation"] = "cousin"  # row 4
    rows[2]["Date Of Birth"] = "2019-02-30"  # row 5
    good = trio("FAM-4", provider)
    good[0]["Phenotypes Id"] = ""  # row 6: neither Phenotypes nor Phenotypes Id
    good[1]["Files Names"] = "/run1/trio/missing.vcf.gz"  # row 7: not in the provider (server check)
    good[1]["Due Date"] = "soon"  # row 7: a case field of a non-proband row is checked too
    good[2]["BioSample Name"] = "HG 004"  # row 8
    source = batch_file(tmp_path / "bad.csv", rows + good)
    before = emedgene_cases(module_services, world)
    admin = world.member("lab-a", Role.ADMIN).email
    code = main(["cases", "batch", str(source), "--workspace", "lab-a", "--as", admin])
    err = capsys.readouterr().err
    assert code == 1
    assert "row 4, column 'Relation': Relation cousin is not valid" in err
    assert "row 5, column 'Date Of Birth': Date Of Birth must be a date YYYY-MM-DD or YYYY/MM/DD" in err
    assert "row 6, column 'Phenotypes': One of Phenotypes or Phenotypes Id is required" in err
    assert "row 7, column 'Due Date': Due Date must be a date YYYY-MM-DD or YYYY/MM/DD" in err
    assert "row 8, column 'BioSample Name': BioSample Name must not contain spaces" in err
    assert "row 7, column 'Files Names': no such file in storage provider" in err  # the server's check
    assert "HG 004" not in err and "2019-02-30" not in err  # cell values that identify are not echoed
    assert err.strip().splitlines()[-1].startswith("vardesk: error: ")
    assert "no case was created" in err
    assert emedgene_cases(module_services, world) == before

    table = results(tmp_path / "bad_results.csv")
    assert [bool(r["Errors"]) for r in table] == [False, True, True, True, True, True]
    assert all(r["Case Id"] == "" for r in table)

    # the family alone without its client-side problems: the missing file is still named
    good[0]["Phenotypes Id"] = "HP:0001263"
    good[2]["BioSample Name"] = "HG004"
    good[1]["Due Date"] = ""
    source = batch_file(tmp_path / "bad2.csv", good)
    assert main(["cases", "batch", str(source), "--workspace", "lab-a", "--as", admin]) == 1
    err = capsys.readouterr().err
    assert err.startswith("row 4, column 'Files Names': no such file in storage provider")
    assert emedgene_cases(module_services, world) == before


def test_file_rules_and_family_rules() -> None:
    header = ",".join(COLUMNS)
    assert read_batch(f"{header}\nF,Exome\n".encode()).problems[0].text() == (
        "row 1: the file must start with a [Data] line"
    )
    plan = read_batch(
        "\n".join(
            [
                "[Data],,",
                "Family Id,Case Type,Relation,Phenotypes,Sample Type,Bad Column",
                "F1,Exome,mother,no-hpo,VCF,",
                "F1,Exome,mother,no-hpo,VCF,",
                ",,,,,",
                "F2,Exome,,HP,VCF,",
                "F2,Exome,sibling,no-hpo,VCF,",
                ",,,,,",
            ]
        ).encode()
    )
    texts = [p.text() for p in plan.problems]
    assert "row 2, column 'Bad Column': a custom column name must not contain spaces" in texts
    assert "row 4, column 'Relation': the family of rows 3-4 has more than one mother" in texts
    assert "row 3, column 'Relation': the family of rows 3-4 has no proband" in texts
    assert "row 5: the file must have no empty rows" in texts
    assert not any(p.row in (6, 7) for p in plan.problems)  # a proband (empty Relation) and a sibling
    assert not any(p.row == 8 for p in plan.problems)  # a trailing empty row is tolerated
    sibling = plan.families[1].body["test_data"]["patients"]["other"][0]
    assert sibling["relationship"] == "Sibling" and sibling["healthy"] is True
    assert plan.families[1].body["test_data"]["patients"]["proband"]["phenotypes"] == [{"name": "HP"}]
    many = "\n".join(
        ["[Data]", "Family Id,Case Type,Phenotypes,Sample Type"]
        + [f"F{i},Exome,no-hpo,VCF" for i in range(51)]
    )
    assert any("at most 50 cases per file" in p.message for p in read_batch(many.encode()).problems)


def test_the_command_line_fails_with_one_error_line(
    world: World, tmp_path: Path, module_services: Services
) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("[Data]\n" + ",".join(COLUMNS) + "\n")
    settings = module_services.settings
    r = vardesk(
        [
            "cases",
            "batch",
            str(source),
            "--workspace",
            "lab-a",
            "--as",
            world.member("lab-a", Role.ADMIN).email,
        ],
        data_dir=settings.data_dir,
        database_url=settings.database_url,
    )
    assert_clean_failure(r, "no case was created")
    assert "row 3: the file has no sample rows" in r.stderr


def test_wait_runs_the_analyses_and_reports_each_case(
    module_services: Services, world: World, provider: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = trio("FAM-6", provider)
    for r in later:
        r["Execute Now"] = "false"  # created to wait for its files: not waited for
    source = batch_file(tmp_path / "wait.csv", trio("FAM-5", provider) + later)
    analyst = world.member("lab-a", Role.ANALYST).email
    argv = [
        "cases",
        "batch",
        str(source),
        "--workspace",
        "lab-a",
        "--as",
        analyst,
        "--wait",
        "--timeout",
        "120",
    ]
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr()
    assert "analysing: 2 of 2 cases finished" in out.err
    table = results(tmp_path / "wait_results.csv")
    states = {r["Case Id"]: r["Case Status"] for r in table}
    assert sorted(states.values()) == ["ready", "waiting for sample"]
    assert [r["Case Status"] for r in table] == ["ready"] * 3 + ["waiting for sample"] * 3
    assert f'"{table[0]["Case Id"]}": "ready"' in out.out
    actor = world.member("lab-a", Role.ANALYST).actor
    study = module_services.case_intake.home(actor, module_services.settings.emedgene_project)
    assert module_services.cases.get(actor, table[0]["Case Id"], study).case.status == "READY TO REVIEW"


def test_wait_gives_up_after_the_timeout(
    module_services: Services, world: World, provider: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = batch_file(tmp_path / "slow.csv", trio("FAM-7", provider))
    analyst = world.member("lab-a", Role.ANALYST)
    assert main(["cases", "batch", str(source), "--workspace", "lab-a", "--as", analyst.email]) == 0
    name = results(tmp_path / "slow_results.csv")[0]["Case Id"]
    capsys.readouterr()
    # nothing runs the analysis in this process: the case stays In progress
    outcome = module_services.case_intake.wait_ready(
        analyst.actor, module_services.settings.emedgene_project, [name], 0.3, poll=0.05
    )
    assert outcome == {name: "timeout"}


def test_unsupported_sources_are_refused_with_what_to_give_instead(tmp_path: Path) -> None:
    rows = [
        {"Family Id": "A", "Case Type": "Exome", "Files Names": "auto", "BioSample Name": "S1",
         "Storage Provider Id": "1", "Default Project": "P1", "Phenotypes": "no-hpo"},
        {"Family Id": "B", "Case Type": "Exome", "Files Names": "existing", "BioSample Name": "S2",
         "Phenotypes": "no-hpo"},
        {"Family Id": "C", "Case Type": "Exome", "Files Names": "/r/S3_R1.fastq.gz;/r/S3_R2.fastq.gz",
         "BioSample Name": "S3", "Storage Provider Id": "1", "Phenotypes": "no-hpo"},
        {"Family Id": "D", "Case Type": "Exome", "Files Names": "/r/S4.cram", "BioSample Name": "S4",
         "Storage Provider Id": "1", "Phenotypes": "no-hpo"},
        {"Family Id": "E", "Case Type": "Exome", "Sample Type": "FASTQ", "BioSample Name": "S5",
         "Phenotypes": "no-hpo"},
    ]  # fmt: skip
    plan = read_batch(batch_file(tmp_path / "unsupported.csv", rows).read_bytes())
    texts = {p.row: p.text() for p in plan.problems}
    assert "BaseSpace project (Default Project); Vardesk has no BaseSpace storage" in texts[3]
    assert "give the paths of the sample's VCF in a storage provider" in texts[3]
    assert "reuses a sample already on Emedgene" in texts[4] and "samples[].id" in texts[4]
    for row in (5, 6, 7):
        assert "Vardesk runs no secondary analysis" in texts[row] and ".hard-filtered.vcf.gz" in texts[row]
    assert not plan.valid
