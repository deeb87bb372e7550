"""``vardesk bundle install/enable/list``: installing is server-level; a bundle is usable only where enabled,
and a synthetic one only in the demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run
from tests.conftest import TESTDATA
from vardesk.annotate.bundle import build_bundle
from vardesk.synthetic.loci import build_loci_bundle

SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"


def test_install_enable_and_list(database_url: str, tmp_path: Path) -> None:
    d = tmp_path / "data"
    for code in ("cgl", "demo"):
        r = run(["admin", "create-workspace", f"Lab {code}", "--code", code], d, database_url)
        assert r.returncode == 0, r.stderr
    real = tmp_path / "slice"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=real,
        version="slice-1",
    )
    r = run(["bundle", "install", str(real), "--workspace", "cgl"], d, database_url)
    assert r.returncode == 0, r.stderr
    installed = json.loads(r.stdout)
    assert installed["synthetic"] is False
    assert [(e["scope"], e["workspace"], e["by"]) for e in installed["enabled"]] == [
        ("workspace", "cgl", "cli")
    ]

    loci = build_loci_bundle(tmp_path / "loci")
    r = run(["bundle", "install", str(loci), "--workspace", "cgl"], d, database_url)
    assert r.returncode == 1 and "SYNTHETIC (NOT HUMAN)" in r.stderr and "demo workspace" in r.stderr
    loci_id = json.loads((loci / "manifest.json").read_text())["id"]
    r = run(["bundle", "enable", loci_id, "--default"], d, database_url)
    assert r.returncode == 1 and "never for the server default" in r.stderr
    r = run(["bundle", "enable", loci_id, "--workspace", "demo"], d, database_url)
    assert r.returncode == 0, r.stderr
    r = run(["bundle", "enable", installed["id"], "--default"], d, database_url)
    assert r.returncode == 0 and json.loads(r.stdout)["scope"] == "default"

    r = run(["bundle", "list"], d, database_url)
    assert r.returncode == 0, r.stderr
    listed = {b["id"]: b for b in json.loads(r.stdout)}
    assert {(e["scope"], e["workspace"]) for e in listed[installed["id"]]["enabled"]} == {
        ("workspace", "cgl"),
        ("default", None),
    }
    assert listed[loci_id]["synthetic"] is True
    assert [(e["scope"], e["workspace"]) for e in listed[loci_id]["enabled"]] == [("workspace", "demo")]


def test_build_with_gene_knowledge_files(database_url: str, tmp_path: Path) -> None:
    from tests.knowledge.test_gene_evidence import BED, DOSAGE_TSV

    dosage, bed = tmp_path / "ClinGen_gene_curation_list_GRCh38.tsv", tmp_path / "hotspots.bed"
    dosage.write_text(DOSAGE_TSV)
    bed.write_text(BED)
    out = tmp_path / "kb"
    base = ["bundle", "build", "--build", "GRCh37", "--gff3", str(SLICE / "SAMD11.grch37.gff3")]
    base += ["--fasta", str(SLICE / "grch37_chr1_860k.fa.gz"), "--version", "kb-1"]
    args = [*base, "--out", str(out)]
    args += [
        "--clingen-dosage",
        str(dosage),
        "--clingen-dosage-version",
        "2024-01-07",
        "--hotspots",
        str(bed),
    ]
    r = run(args, tmp_path / "data", database_url)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    got = {s["kind"]: s.get("version") for s in manifest["sources"]}
    assert got["clingen_dosage"] == "2024-01-07" and got["hotspots"] is None
    assert (out / "knowledge" / "hotspots" / "hotspots.bed").is_file()
    bad = tmp_path / "bad.bed"
    bad.write_text("1\t5\t2\tx\n")
    r = run([*base, "--out", str(tmp_path / "kb2"), "--hotspots", str(bad)], tmp_path / "data", database_url)
    assert r.returncode != 0 and "bad.bed line 1" in r.stderr
    assert not (tmp_path / "kb2").exists()
