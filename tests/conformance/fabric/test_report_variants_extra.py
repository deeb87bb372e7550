# ruff: noqa: E501  (request shapes are replayed verbatim)
"""Contract §5.6 E24–E27 as get_scored_variants.py, get_report_structural_variants.py,
download_report_variants.py and get_report_selectable_variants.py send them, and the late-genome attach of
upload_genome_to_panel_report.py (§12.2)."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.conformance.fabric.conftest import call, raw, wait
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role

# A GRCh37 VCF on the SAMD11 slice (contig 1, 860 kb): one small variant, a symbolic deletion, and a
# sequence-resolved 60 bp deletion; the sample is the genome the report is about.
SV_VCF = (
    "##fileformat=VCFv4.2\n##reference=GRCh37\n"
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End">\n'
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">\n'
    '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="SV length">\n'
    '##ALT=<ID=DEL,Description="Deletion">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSV1\n"
    "1\t861400\t.\tN\t<DEL>\t50\tPASS\tEND=863000;SVTYPE=DEL;SVLEN=-1600\tGT\t0/1\n"
)


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


@pytest.fixture(scope="module")
def analyst_login(world: World) -> str:
    return world.member("lab-a", Role.ANALYST).actor.login


def _ready(server: LiveServer, who: tuple[str, str], report_id: int) -> dict:
    def done() -> dict | None:
        doc = call(server, "GET", f"/reports/{report_id}", who).json()
        assert doc["status"] != "FAILED", doc
        return doc if doc["status"] == "READY TO REVIEW" else None

    return wait(done)


@pytest.fixture(scope="module")
def solo(server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes]) -> dict:
    """launch_solo_report.py: upload with ``format``, an exome report, then polled to READY TO REVIEW."""
    pid = call(server, "POST", "/projects/", analyst, data={"project_name": "Extra"}).json()["id"]
    q = "genome_label=Solo&genome_sex=female&external_id=EXT-S&assembly_version=hg19&format=vcf.gz"
    gid = call(server, "PUT", f"/projects/{pid}/genomes?{q}", analyst, **raw(vcf["vcf.gz"])).json()[
        "genome_id"
    ]
    body = {
        "report_type": "exome",
        "proband_genome_id": gid,
        "proband_sex": "f",
        "background": "FULL",
        "score_indels": False,
        "accession_id": "ACC-SOLO",
    }
    cr = call(server, "POST", "/reports/", analyst, **raw(json.dumps(body).encode())).json()[
        "clinical_report"
    ]
    doc = _ready(server, analyst, cr["id"])
    variants = call(server, "GET", f"/reports/{cr['id']}/variants", analyst).json()["objects"]
    assert variants, "the exome report has candidates"
    return {"project": pid, "report": doc, "variants": variants}


def test_scored_variants(
    server: LiveServer, analyst: tuple[str, str], analyst_login: str, solo: dict
) -> None:
    rid, v = solo["report"]["id"], solo["variants"][0]
    r = call(server, "GET", f"/reports/{rid}/variants/scored?", analyst)  # get_scored_variants.py, no option
    assert r.status_code == 200, r.text
    docs = r.json()["objects"]
    assert {d["report_variant_id"] for d in docs} == {d["id"] for d in solo["variants"]}
    first = next(d for d in docs if d["id"] == v["id"])
    assert first["scoring_status"] == "scored" and "audit_log" not in first
    assert first["automatic"]["classification"] == first["classification"]
    assert first["classification_source"] == "automatic" and isinstance(first["criteria"], list)
    assert any(e["status"] for e in first["automatic"]["evidence"])
    # a person classifies the variant: it moves to "classified" and the audit log shows the change
    ops = [
        {"op": "replace", "path": "/classification", "value": "Likely pathogenic"},
        {"op": "replace", "path": "/criteria", "value": ["PM2_Supporting", "PP3"]},
    ]
    hdr = {"Content-Type": "application/json-patch+json"}
    assert (
        call(
            server, "PATCH", f"/reports/{rid}/variants/{v['id']}", analyst, data=json.dumps(ops), headers=hdr
        ).status_code
        == 200
    )
    r = call(
        server, "GET", f"/reports/{rid}/variants/scored?scoring_status=classified&audit_log=true", analyst
    )
    (doc,) = r.json()["objects"]
    assert doc["id"] == v["id"] and doc["classification"] == "Likely pathogenic"
    assert doc["criteria"] == ["PM2_Supporting", "PP3"] and doc["classification_source"] == "manual"
    # the labels as before, and the typed entries with who/when/why
    assert {e["field"] for e in doc["audit_log"]} == {"classification", "criteria", "acmg_evidence"}
    manual = [e for e in doc["acmg_evidence"] if e["source"] == "manual"]
    assert [(e["label"], e["by"]) for e in manual] == [
        ("PM2_Supporting", analyst_login),
        ("PP3", analyst_login),
    ]
    # the classifiers' suggestion over the automatic and the reviewer's criteria, next to the person's class
    assert doc["suggested_classification"]["criteria"] == [e["label"] for e in doc["acmg_evidence"]]
    assert {c["system"] for c in doc["suggested_classification"]["classifications"]} == {
        "ACMG/AMP 2015",
        "ClinGen SVI points",
    }
    assert all(e["user"] and "T" in e["date"] and e["action"].endswith("changed") for e in doc["audit_log"])
    scored = call(server, "GET", f"/reports/{rid}/variants/scored?scoring_status=scored", analyst).json()[
        "objects"
    ]
    assert v["id"] not in {d["id"] for d in scored}
    assert call(server, "GET", f"/reports/{rid}/variants/scored?scoring_status=scoring", analyst).json() == {
        "objects": []
    }
    bad = call(server, "GET", f"/reports/{rid}/variants/scored?scoring_status=done", analyst)
    assert bad.status_code == 400 and bad.json()["description"]


def test_structural_variants(server: LiveServer, analyst: tuple[str, str], solo: dict) -> None:
    rid = solo["report"]["id"]
    # get_report_structural_variants.py $R --status REVIEWED  /  --format VCF  (small variants only here)
    assert call(server, "GET", f"/reports/{rid}/structural_variants?status=REVIEWED", analyst).json() == {
        "objects": []
    }
    r = call(server, "GET", f"/reports/{rid}/structural_variants?format=VCF", analyst)
    assert r.status_code == 200 and r.text.startswith("##fileformat=VCFv4.2\n")
    header = [ln for ln in r.text.splitlines() if ln.startswith("#")]
    assert (
        header[-1].startswith("#CHROM\tPOS\tID\tREF\tALT")
        and '##ALT=<ID=DEL,Description="Deletion">' in header
    )
    # HG002's sequence-resolved indels of 50 bp or more are its structural variants
    docs = call(server, "GET", f"/reports/{rid}/structural_variants", analyst).json()["objects"]
    assert docs and all(
        abs(len(d["alt"]) - len(d["ref"])) >= 50 and d["sv_type"] in ("INS", "DEL") for d in docs
    )
    assert all(d["sv_length"] == len(d["alt"]) - len(d["ref"]) and d["status"] == "PENDING" for d in docs)
    assert len(r.text.splitlines()) == len(header) + len(docs)
    # a genome that carries a symbolic deletion
    q = "genome_label=SV&genome_sex=male&assembly_version=hg19"
    gid = call(
        server,
        "PUT",
        f"/projects/{solo['project']}/genomes?{q}",
        analyst,
        **raw(gzip.compress(SV_VCF.encode())),
    ).json()["genome_id"]
    wait(lambda: call(server, "GET", f"/genomes/{gid}", analyst).json()["genome_status"] == "ANNOTATED")
    body = {
        "report_type": "exome",
        "proband_genome_id": gid,
        "proband_sex": "m",
        "background": "FULL",
        "score_indels": False,
        "accession_id": "ACC-SV",
    }
    sv_report = call(server, "POST", "/reports/", analyst, **raw(json.dumps(body).encode())).json()[
        "clinical_report"
    ]["id"]
    docs = call(
        server,
        "GET",
        f"/reports/{sv_report}/structural_variants?chrom=1&start_on_chrom=862000&end_on_chrom=862500",
        analyst,
    ).json()["objects"]
    assert [
        (
            d["chromosome"],
            d["start_on_chrom"],
            d["end_on_chrom"],
            d["alt"],
            d["sv_type"],
            d["sv_length"],
            d["genotype"],
        )
        for d in docs
    ] == [("chr1", 861400, 863000, "<DEL>", "DEL", -1600, "0/1")]
    assert (
        call(server, "GET", f"/reports/{sv_report}/structural_variants?chrom=2", analyst).json()["objects"]
        == []
    )
    assert (
        call(server, "GET", f"/reports/{sv_report}/structural_variants?status=REVIEWED", analyst).json()[
            "objects"
        ]
        == []
    )
    vcf_text = call(server, "GET", f"/reports/{sv_report}/structural_variants?format=VCF", analyst).text
    record = vcf_text.splitlines()[-1].split("\t")
    assert (
        record[:5] == ["chr1", "861400", ".", "N", "<DEL>"]
        and "SVTYPE=DEL" in record[7]
        and record[9] == "0/1"
    )


def test_selectable_variants_download(server: LiveServer, analyst: tuple[str, str], solo: dict) -> None:
    rid = solo["report"]["id"]
    # download_report_variants.py: requests.get(url, params={'limit': 10000, 'format': 'vcf'})
    r = call(
        server,
        "GET",
        f"/reports/{rid}/selectable_variants",
        analyst,
        params={"limit": 10000, "format": "vcf"},
    )
    assert r.status_code == 200
    name = r.headers["content-disposition"].split("filename=")[-1]
    assert name == f"report_{rid}_selectable_variants.vcf" and '"' not in name and "/" not in name
    rows = [ln.split("\t") for ln in r.text.splitlines() if not ln.startswith("#")]
    assert [(c[0], int(c[1]), c[3], c[4]) for c in rows] == [
        (v["chromosome"], v["start_on_chrom"], v["ref"], v["alt"]) for v in solo["variants"]
    ]
    assert (
        len(
            call(
                server,
                "GET",
                f"/reports/{rid}/selectable_variants",
                analyst,
                params={"limit": 1, "format": "vcf"},
            ).text.splitlines()
        )
        == r.text.count("\n#") + 2
    )


def test_selectable_variants_by_targets(server: LiveServer, analyst: tuple[str, str], solo: dict) -> None:
    rid, v = solo["report"]["id"], solo["variants"][0]
    # get_report_selectable_variants.py always posts this ABCA4 target with json.dumps + application/json
    hard_coded = [
        {
            "chromosome": "chr1",
            "start_on_chrom": 94512602,
            "gene_symbol": "ABCA4",
            "inheritance_mode": "DOMINANT",
        }
    ]
    hdr = {"content-type": "application/json"}
    r = call(
        server,
        "POST",
        f"/reports/{rid}/selectable_variants",
        analyst,
        data=json.dumps(hard_coded),
        headers=hdr,
    )
    assert r.status_code == 200 and r.json() == {"objects": []}
    target = [
        {
            "chromosome": v["chromosome"],
            "start_on_chrom": v["start_on_chrom"],
            "end_on_chrom": v["end_on_chrom"],
        }
    ]
    r = call(
        server, "POST", f"/reports/{rid}/selectable_variants", analyst, data=json.dumps(target), headers=hdr
    )
    assert [d["id"] for d in r.json()["objects"]] == [v["id"]]
    by_gene = [
        {
            "chromosome": "1",
            "start_on_chrom": str(v["start_on_chrom"]),
            "gene_symbol": v["gene_symbol"].lower(),
        }
    ]
    assert [
        d["id"]
        for d in call(
            server, "POST", f"/reports/{rid}/selectable_variants", analyst, data=json.dumps(by_gene)
        ).json()["objects"]
    ] == [v["id"]]
    bad = call(server, "POST", f"/reports/{rid}/selectable_variants", analyst, data='"chr1"', headers=hdr)
    assert bad.status_code == 400 and bad.json()["description"]


def test_genome_attached_before_it_is_indexed(
    server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes], solo: dict
) -> None:
    """upload_genome_to_panel_report.py: the upload, then at once PUT /reports/{id} — the report waits for
    the indexing instead of failing its analysis on a genome that is not ready."""
    body = json.dumps(
        {
            "name": "Late",
            "description": "d",
            "methodology": None,
            "limitations": None,
            "fda_disclosure": None,
            "test_code": None,
        }
    )
    panel = call(server, "POST", "/panels/", analyst, **raw(body.encode())).json()["id"]
    call(server, "POST", f"/panels/{panel}/regions", analyst, **raw(b'{"gene_symbols": "SAMD11"}'))
    launch = {
        "report_type": "panel",
        "genome_id": None,
        "filter_id": None,
        "panel_id": panel,
        "project_id": solo["project"],
        "accession_id": "ACC-LATE",
    }
    cr = call(server, "POST", "/reports/", analyst, **raw(json.dumps(launch).encode())).json()[
        "clinical_report"
    ]
    assert cr["status"] == "WAITING FOR SAMPLE"
    q = (
        "genome_label=Late%20sample&genome_sex=male&external_id=None"
        + "%20" * 11
        + "&assembly_version=hg19&format=vcf.gz"
    )
    gid = call(
        server, "PUT", f"/projects/{solo['project']}/genomes?{q}", analyst, **raw(vcf["vcf.gz"])
    ).json()["genome_id"]
    r = call(
        server,
        "PUT",
        f"/reports/{cr['id']}",
        analyst,
        **raw(json.dumps({"proband_genome_id": gid, "proband_sex": "male"}).encode()),
    )
    assert r.status_code == 200 and r.json()["clinical_report"]["status"] in ("WAITING", "READY TO REVIEW")
    doc = _ready(server, analyst, cr["id"])  # asserts it never went FAILED
    assert doc["genome_id"] == gid
    assert call(server, "GET", f"/reports/{cr['id']}/variants", analyst).json()["objects"]


def test_typed_criteria(server: LiveServer, analyst: tuple[str, str], analyst_login: str, solo: dict) -> None:
    """E22 with criteria in each written form and as objects with a comment; a bad one is refused naming it;
    the variant keeps answering the strings clients read in ``criteria``."""
    rid, v = solo["report"]["id"], solo["variants"][-1]
    url, hdr = f"/reports/{rid}/variants/{v['id']}", {"Content-Type": "application/json-patch+json"}

    def patch(value: object):  # type: ignore[no-untyped-def]
        ops = [{"op": "replace", "path": "/criteria", "value": value}]
        return call(server, "PATCH", url, analyst, data=json.dumps(ops), headers=hdr)

    given = ["PM2_P", "PVS1 (strong)", {"code": "PS3", "strength": "moderate", "comment": "minigene assay"}]
    r = patch(given)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["criteria"] == ["PM2_Supporting", "PVS1_Strong", "PS3_Moderate"]
    ps3 = next(e for e in doc["acmg_evidence"] if e["code"] == "PS3")
    assert (ps3["strength"], ps3["source"], ps3["by"], ps3["comment"]) == (
        "MODERATE",
        "manual",
        analyst_login,
        "minigene assay",
    )
    assert "T" in ps3["at"]
    # PVS1_Strong + PS3_Moderate + PM2_Supporting: 2015 LP (ii) (1 strong, 1 moderate); 4 + 2 + 1 = 7 points
    assert doc["suggested_classification"]["classification"] == "Likely pathogenic"
    assert call(server, "GET", url, analyst).json()["criteria"] == doc["criteria"]
    for bad, named in (("PM2_Strong", "PM2_Strong"), ("PX1", "PX1"), ("BA1_P", "BA1_P")):
        r = patch(["PVS1", bad])
        assert r.status_code == 400 and named in r.json()["description"], r.text
    assert call(server, "GET", url, analyst).json()["criteria"] == doc["criteria"]  # unchanged
    # removing the reviewer's criteria gives the automatic evidence back
    r = patch([])
    assert r.status_code == 200 and r.json()["criteria"] == []
    assert all(e["source"] == "automatic" for e in r.json()["acmg_evidence"])
