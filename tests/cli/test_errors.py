"""Every failure of the console script is ``vardesk: error: <reason>`` and exit 1, never a traceback;
output paths are checked before the work and never left half-written."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.cli.console import assert_clean_failure, vardesk
from tests.ingest.conftest import CHROM_LINE, HEADER
from tests.world import build_world
from vardesk.api.native.envelope import error_event
from vardesk.app.composition import Services
from vardesk.cli.output import write_atomically
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid
from vardesk.ingest.validate import validate_vcf

GOOD = "chr1\t100\t.\tA\tG\t50\tPASS\tDP=10\tGT:AD:DP:GQ\t0/1:5,5:10:99\n"
BEYOND = GOOD.replace("\t100\t", "\t300000000\t")
FIRST = HEADER.count("\n") + 2  # line number of the first record


@pytest.fixture(scope="module")
def catalog(module_services: Services) -> tuple[Path, str]:
    """(data dir, database URL) of a catalog with workspace lab-a (an admin) and project p."""
    world = build_world(module_services, ("lab-a",))
    module_services.projects.create_project(world.member("lab-a", Role.ADMIN).actor, {"id": "p"})
    settings = module_services.settings
    return settings.data_dir, settings.resolved_database_url


def unwritable_dir(tmp_path: Path) -> Path:
    """A directory this process cannot create files in (root ignores permission bits: sysfs then)."""
    if os.geteuid() == 0:
        return Path("/sys")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    return locked


@pytest.mark.parametrize("command", [["report", "pdf", "999", "--final"], ["openapi"]], ids=" ".join)
def test_output_path_mistakes_fail_before_the_work(
    catalog: tuple[Path, str], tmp_path: Path, command: list[str]
) -> None:
    data, url = catalog
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    cases = [
        (tmp_path / "nodir" / "x.pdf", "directory " + str(tmp_path / "nodir") + " does not exist"),
        (tmp_path, "is a directory"),
        (a_file / "x.pdf", "is not a directory"),
        (unwritable_dir(tmp_path) / "x.pdf", "cannot write"),
    ]
    for output, reason in cases:
        r = vardesk([*command, "-o", str(output)], data, url)
        # report 999 does not exist: the output path is refused first, before any lookup or rendering
        assert_clean_failure(r, reason)
        assert not output.exists() or output.is_dir()
    assert a_file.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"] + (["locked"] if os.geteuid() else [])


def test_a_good_output_path_gets_the_next_error(catalog: tuple[Path, str], tmp_path: Path) -> None:
    data, url = catalog
    r = vardesk(["report", "pdf", "999", "-o", str(tmp_path / "r.pdf")], data, url)
    assert_clean_failure(r, "report '999' not found")
    assert list(tmp_path.iterdir()) == []


def test_bad_vcf_keeps_the_line_and_words_it_as_the_native_api(
    catalog: tuple[Path, str], tmp_path: Path
) -> None:
    data, url = catalog
    vcf = tmp_path / "bad.vcf"
    vcf.write_text(HEADER + CHROM_LINE + GOOD + BEYOND)
    r = vardesk(["genome", "import", "--workspace", "lab-a", "--project", "p", str(vcf)], data, url)
    with pytest.raises(Invalid) as err:
        validate_vcf(vcf)
    api_message = error_event(err.value)["message"]  # what the native API answers for this upload
    assert api_message == (
        f"line {FIRST + 1}: POS '300000000' is beyond the end of contig chr1 "
        "(length 248956422 in the ##contig header line)"
    )
    assert_clean_failure(r, api_message)
    assert r.stderr.strip().splitlines()[-1] == f"vardesk: error: {api_message}"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["genome", "import", "--workspace", "lab-a", "--project", "p", "{tmp}/missing.vcf"],
            "does not exist",
        ),
        (["genome", "import", "--workspace", "lab-a", "--project", "p", "{tmp}"], "is not a file"),
        (
            ["bundle", "build", "--build", "GRCh37", "--gff3", "{tmp}/no.gff3", "--fasta", "{tmp}/x"]
            + ["--out", "{tmp}/b"],
            "--gff3 file {tmp}/no.gff3 does not exist",
        ),
        (
            ["bundle", "build", "--build", "GRCh37", "--gff3", "{tmp}/f", "--fasta", "{tmp}/f"]
            + ["--out", "{tmp}/f"],
            "output path {tmp}/f exists and is not a directory",
        ),
        (["bundle", "install", "{tmp}/nothing"], "not a bundle"),
        (["report", "approve", "999", "--as", "x@y.org"], "report '999' not found"),
    ],
    ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else None,
)
def test_command_errors_are_one_line(
    catalog: tuple[Path, str], tmp_path: Path, args: list[str], reason: str
) -> None:
    data, url = catalog
    (tmp_path / "f").write_text("not a bundle input")
    r = vardesk([a.format(tmp=tmp_path) for a in args], data, url)
    assert_clean_failure(r, reason.format(tmp=tmp_path))
    assert not (tmp_path / "b").exists()


def test_an_unreachable_database_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    r = vardesk(
        ["admin", "create-workspace", "Lab"], tmp_path, "postgresql+psycopg://nobody:x@127.0.0.1:9/none"
    )
    assert_clean_failure(r, "catalog database error")


def test_usage_errors_stay_argparse_s(tmp_path: Path) -> None:
    r = vardesk(["report", "pdf", "1"], tmp_path)
    assert r.returncode == 2 and "the following arguments are required: -o/--output" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the previous report")
    with pytest.raises(TypeError):
        write_atomically(target, 12345)  # type: ignore[arg-type]  # fails inside the write
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    assert write_atomically(target, b"%PDF new") == 8
    assert target.read_bytes() == b"%PDF new" and [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_serve_on_a_port_in_use_is_an_error_line(catalog: tuple[Path, str]) -> None:
    data, url = catalog
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = vardesk(["serve", "--host", "127.0.0.1", "--port", str(port)], data, url)
    assert_clean_failure(r, f"cannot listen on 127.0.0.1:{port}: Address already in use")
