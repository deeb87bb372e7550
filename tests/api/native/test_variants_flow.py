"""Upload → index job → samples → variant queries, through the native API on a real server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from tests.conftest import TESTDATA, LiveServer
from tests.ingest.conftest import run_bcftools
from tests.ingest.test_bad_inputs import CASES
from tests.world import World, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.ids import is_file_code

API = "/api/v2"
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"


@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    w = build_world(module_services, ("lab-a",))
    analyst = w.member("lab-a", Role.ANALYST).actor
    module_services.projects.create_project(analyst, {"id": "trio", "organism": {"assembly": "GRCh37"}})
    module_services.projects.create_project(analyst, {"id": "hg38", "organism": {"assembly": "GRCh38"}})
    module_services.projects.create_project(analyst, {"id": "noasm"})
    return w


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services) as srv:
        yield srv


def upload(
    server: LiveServer,
    auth: tuple[str, str],
    path: Path | None,
    data: bytes | None = None,
    name: str = "x.vcf",
    **fields: str,
) -> requests.Response:
    content = data if data is not None else path.read_bytes()  # type: ignore[union-attr]
    filename = str(path) if path else f"/home/lab/{name}"  # clients send absolute local paths
    form = {
        "study": "trio:default",
        "format": "VCF",
        "bioformat": "VARIANT",
        "relativeFilePath": "data/",
        "parents": "True",
        **fields,
    }
    return requests.post(
        server.url + API + "/files/upload",
        params={"file": filename, **form},
        data=form,
        files={"file": (filename, content, "application/octet-stream")},
        auth=auth,
        timeout=60,
    )


def wait_job(server: LiveServer, auth: tuple[str, str], job_id: str, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while True:
        r = requests.get(server.url + API + f"/jobs/{job_id}/info", auth=auth, timeout=30)
        job = r.json()["responses"][0]["results"][0]
        if job["internal"]["status"]["id"] in ("DONE", "ERROR", "ABORTED"):
            return job
        assert time.time() < deadline, job
        time.sleep(0.2)


def upload_and_index(server: LiveServer, auth: tuple[str, str], path: Path, study: str) -> tuple[dict, dict]:
    """Upload a VCF into ``study`` and run its index job to the end: (the file, the finished job)."""
    r = upload(server, auth, path, study=study)
    assert r.status_code == 200, r.text
    f = r.json()["responses"][0]["results"][0]
    r = requests.post(
        server.url + API + "/operation/variant/index",
        params={"study": study},
        json={"file": f["id"], "annotate": True},
        auth=auth,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    done = wait_job(server, auth, r.json()["responses"][0]["results"][0]["id"])
    assert done["internal"]["status"]["id"] == "DONE", done
    return f, done


@pytest.fixture(scope="module")
def indexed(server: LiveServer, world: World) -> dict:
    auth = world.member("lab-a", Role.ANALYST).basic
    r = upload(server, auth, GIAB)
    assert r.status_code == 200, r.text
    f = r.json()["responses"][0]["results"][0]
    r = requests.post(
        server.url + API + "/operation/variant/index",
        params={"study": "trio:default"},
        json={"file": f["id"], "annotate": True},
        auth=auth,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    job = r.json()["responses"][0]["results"][0]
    assert (
        job["internal"]["status"]["id"] in ("QUEUED", "RUNNING")
        and job["study"]["id"] == "lab-a@trio:default"
    )
    done = wait_job(server, auth, job["id"])
    assert done["internal"]["status"]["id"] == "DONE", done
    return {"file": f, "job": done}


def test_upload_answers_with_the_file_and_its_samples(indexed: dict) -> None:
    f = indexed["file"]
    assert is_file_code(f["id"]) and (f["name"], f["path"]) == ("ashk-trio.vcf.gz", "data/ashk-trio.vcf.gz")
    assert f["sampleIds"] == ["HG002", "HG003", "HG004"]
    v = f["attributes"]["vardesk"]
    assert v["build"] == "GRCh37" and v["records"] == 9940 and v["compression"] in ("bgzf", "gzip")


def test_index_job_makes_every_sample_ready(server: LiveServer, world: World, indexed: dict) -> None:
    auth = world.member("lab-a", Role.VIEWER).basic
    r = requests.get(server.url + API + "/samples/search", params={"study": "trio:default"}, auth=auth)
    samples = r.json()["responses"][0]["results"]
    assert [s["id"] for s in samples] == ["HG002", "HG003", "HG004"]
    for s in samples:
        v = s["attributes"]["vardesk"]
        assert v["state"] == "READY" and v["variants"] > 9000
        assert v["annotation"]["bundle"].startswith("vcf:") and v["annotation"]["version"] == "BCSQ"
    summary = indexed["job"]["attributes"]["result"]["files"][0]
    assert summary["records_read"] == 9940 and summary["annotation"]["source"] == "pipeline"


def _opencga_id(chrom: str, pos: int, ref: str, alt: str) -> str:
    if (len(ref) > 1 or len(alt) > 1) and ref[0] == alt[0]:
        ref, alt, pos = ref[1:] or "-", alt[1:] or "-", pos + 1
    return f"{chrom.removeprefix('chr')}:{pos}:{ref}:{alt}"


def test_de_novo_genotype_query_equals_bcftools(server: LiveServer, world: World, indexed: dict) -> None:
    auth = world.member("lab-a", Role.ANALYST).basic
    r = requests.get(
        server.url + API + "/analysis/variant/query",
        auth=auth,
        timeout=60,
        params={
            "study": "trio:default",
            "genotype": "HG002:0/1;HG003:0/0;HG004:0/0",
            "includeSample": "all",
            "limit": "5000",
            "count": "true",
        },
    )
    assert r.status_code == 200, r.text
    res = r.json()["responses"][0]
    got = [v["id"] for v in res["results"]]
    split = run_bcftools("norm", "-m-", "-Ov", str(GIAB))
    out = Path(server.services.settings.data_dir) / "split.vcf"
    out.write_text(split)
    lines = run_bcftools("view", "-H", "-i", 'GT[0]="het" && GT[1]="RR" && GT[2]="RR"', str(out)).splitlines()
    expected = [
        _opencga_id(c, int(p), ref, alt) for c, p, _, ref, alt, *_ in (ln.split("\t") for ln in lines)
    ]
    assert len(got) == len(expected) > 0 and set(got) == set(expected)
    assert res["numMatches"] == len(expected)
    first = res["results"][0]["studies"][0]
    assert first["sampleDataKeys"][0] == "GT"
    assert [s["sampleId"] for s in first["samples"]] == ["HG002", "HG003", "HG004"]
    assert first["samples"][0]["data"][0] in ("0/1", "1/0", "0|1", "1|0")


def test_gene_and_consequence_filters_use_the_pipeline_annotation(
    server: LiveServer, world: World, indexed: dict
) -> None:
    auth = world.member("lab-a", Role.ANALYST).basic
    r = requests.get(
        server.url + API + "/analysis/variant/query",
        auth=auth,
        params={"study": "trio:default", "gene": "SAMD11", "sample": "HG002", "limit": "1000"},
    )
    assert r.status_code == 200, r.text
    hits = r.json()["responses"][0]["results"]
    assert hits and all(
        "SAMD11" in {ct["geneName"] for ct in v["annotation"]["consequenceTypes"]} for v in hits
    )
    r = requests.get(
        server.url + API + "/analysis/variant/query",
        auth=auth,
        params={"study": "trio:default", "ct": "missense_variant", "sample": "HG002", "limit": "5"},
    )
    for v in r.json()["responses"][0]["results"]:
        terms = {t["name"] for ct in v["annotation"]["consequenceTypes"] for t in ct["sequenceOntologyTerms"]}
        assert "missense_variant" in terms


def test_every_filter_answers_on_the_pipeline_annotation(
    server: LiveServer, world: World, indexed: dict
) -> None:
    """BCSQ carries no gnomAD and no ClinVar column: a missing column is unknown — an unknown frequency
    counts as rare, an unknown significance matches nothing — never a 500; counts equal bcftools'."""
    auth = world.member("lab-a", Role.ANALYST).basic

    def matches(**extra: str) -> int:
        params = {"study": "trio:default", "genotype": "HG002:0/1", "count": "true", "limit": "1", **extra}
        r = requests.get(server.url + API + "/analysis/variant/query", auth=auth, params=params, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()["responses"][0]["numMatches"]

    het = matches()
    split = Path(server.services.settings.data_dir) / "split-filters.vcf"
    split.write_text(run_bcftools("norm", "-m-", "-Ov", str(GIAB)))
    missense = run_bcftools("view", "-H", "-i", 'GT[0]="het" && INFO/BCSQ~"missense"', str(split))
    assert 0 < matches(ct="missense_variant") == len(missense.splitlines()) < het
    assert matches(populationFrequencyAlt="gnomad_genomes:ALL<0.01") == het
    assert matches(ct="missense_variant", populationFrequencyAlt="gnomad_genomes:ALL<0.01") == len(
        missense.splitlines()
    )
    assert matches(clinicalSignificance="pathogenic") == 0
    assert matches(gene="SAMD11", populationFrequencyAlt="gnomad_genomes:ALL<0.01") > 0
    assert matches(skip="100000") == het  # a page past the end still counts


PRESET_TERMS = "missense_variant,synonymous_variant,stop_gained,frameshift_variant"


@pytest.fixture(scope="module")
def trio_case(server: LiveServer, world: World, indexed: dict) -> dict:
    auth = world.member("lab-a", Role.ANALYST).basic
    members = [
        {"relation": "PROBAND", "sample": "HG002", "sex": "MALE", "affected": "AFFECTED"},
        {"relation": "FATHER", "sample": "HG003", "sex": "MALE", "affected": "UNAFFECTED"},
        {"relation": "MOTHER", "sample": "HG004", "sex": "FEMALE", "affected": "UNAFFECTED"},
    ]
    r = requests.post(
        server.url + API + "/analysis/clinical/create?study=trio:default&includeResult=true",
        json={"id": "TRIO", "caseType": "trio", "members": members},
        auth=auth,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]["results"][0]


def segregating(server: LiveServer, who: tuple[str, str], **params: str) -> dict:
    query = {"study": "trio:default", "clinicalAnalysis": "TRIO", "count": "true", "limit": "5000", **params}
    r = requests.get(server.url + API + "/analysis/variant/query", params=query, auth=who, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]


def test_compound_heterozygous_filter_equals_the_case_analysis_pairs(
    server: LiveServer, world: World, trio_case: dict
) -> None:
    """The compound heterozygous query filter pairs the same variants, with the same partners, as the
    case analysis' own candidate collection over the same filters."""
    from vardesk.analysis.inheritance import Mode
    from vardesk.app.cases.case_analysis import query_from_preset

    services: Services = server.services
    viewer = world.member("lab-a", Role.VIEWER).basic
    res = segregating(server, viewer, ct=PRESET_TERMS, familySegregation="COMPOUND_HETEROZYGOUS")
    assert res["numMatches"] > 10  # genome-wide on the pipeline's BCSQ annotation
    assert all([m["mode"] for m in v["inheritance"]] == ["COMPOUND_HETEROZYGOUS"] for v in res["results"])
    got = sorted(sorted(v["inheritance"][0]["partners"]) for v in res["results"])
    with services.ctx.uow() as uow:
        row = uow.cases.by_uuid(trio_case["uuid"])
        assert row is not None
        members = [
            (m, uow.genomes.get(m.genome_id) if m.genome_id else None)
            for m in uow.case_members.of_case(row.id)
        ]
    query = query_from_preset({"consequences": PRESET_TERMS.split(","), "max_af": None}, [])
    collected = services.candidates.collect(members, query)
    by_key = {c.key: c for c in collected.candidates}
    vcf_id = lambda c: f"{c.chrom}:{c.pos}:{c.ref}:{c.alt}"  # noqa: E731
    expected = sorted(
        sorted(vcf_id(by_key[k]) for k in m.partners if k in by_key)
        for c in collected.candidates
        for m in c.modes
        if m.mode is Mode.COMPOUND_HETEROZYGOUS
    )
    assert got == expected and res["numMatches"] == len(expected)


def test_family_queries_read_the_matrix_built_at_index_time_with_the_same_results(
    server: LiveServer, world: World, trio_case: dict
) -> None:
    """Indexing the trio's file built its genotype matrix (recorded in the catalog); family queries read
    it and answer as the per-genome files do (the record removed), and a rebuild restores it."""
    from vardesk.app.matrices import GenotypeMatrices

    services: Services = server.services
    viewer = world.member("lab-a", Role.VIEWER).basic
    with services.ctx.uow() as uow:
        case = uow.cases.by_uuid(trio_case["uuid"])
        assert case is not None
        study = case.study_id
    matrices = GenotypeMatrices(services.ctx, services.store, services.annotation)

    def records() -> list:
        with services.ctx.uow() as uow:
            return list(uow.genotype_matrices.of_study(study))

    [rec] = records()
    assert len(rec.genome_ids) == 3 and rec.rows > 9000 and services.store.exists(rec.blob_key)
    with services.ctx.uow() as uow:
        genomes = {g.code: g for g in uow.genomes.in_study(study)}
    trio = ["HG002", "HG003", "HG004"]
    found = matrices.find(study, genomes, trio, trio)
    assert found is not None and found.id == rec.id  # what the queries below read
    queries = [
        {"genotype": "HG002:0/1;HG003:0/0;HG004:0/0", "ct": PRESET_TERMS, "count": "true"},
        {"genotype": "HG002:1/1;HG003:0/1;HG004:0/1", "count": "true", "limit": "50", "skip": "20"},
        {
            "clinicalAnalysis": "TRIO",
            "familySegregation": "COMPOUND_HETEROZYGOUS,DE_NOVO",
            "ct": PRESET_TERMS,
        },
    ]

    def answers() -> list:
        out = []
        for q in queries:
            r = requests.get(
                server.url + API + "/analysis/variant/query",
                params={"study": "trio:default", "limit": "5000", "count": "true", **q},
                auth=viewer,
                timeout=120,
            )
            assert r.status_code == 200, r.text
            body = r.json()["responses"][0]
            out.append((body["numMatches"], body["results"]))
        return out

    with_matrix = answers()
    assert all(n > 0 for n, _ in with_matrix)
    with services.ctx.uow() as uow:
        uow.genotype_matrices.remove(uow.genotype_matrices.get(rec.id))
        uow.commit()
    assert answers() == with_matrix
    ids = list(rec.genome_ids)
    assert matrices.refresh(ids) and matrices.refresh(ids) == []  # built once, then current
    [again] = records()
    assert again.fingerprint == rec.fingerprint and answers() == with_matrix


def test_bad_inputs_get_their_4xx_and_leave_nothing(server: LiveServer, world: World, indexed: dict) -> None:
    auth = world.member("lab-a", Role.ANALYST).basic
    services = server.services
    uploads_before = set((services.store.root / "uploads").iterdir())
    for case_id, data, message, line, kwargs in CASES:
        if kwargs:  # cases about ingest limits, not uploads
            continue
        r = upload(server, auth, None, data=data, name=f"{case_id}.vcf", study="noasm:default")
        assert 400 <= r.status_code < 500, (case_id, r.status_code)
        event = r.json()["events"][0]
        assert message.lower() in event["message"].lower(), (case_id, event["message"])
        if line is not None:
            assert f"line {line}" in event["message"], (case_id, event["message"])
    assert requests.get(server.url + API + "/meta/ping").status_code == 200  # still serving
    files = requests.get(
        server.url + API + "/files/search", params={"study": "noasm:default"}, auth=auth
    ).json()
    assert files["responses"][0]["results"] == []
    assert set((services.store.root / "uploads").iterdir()) == uploads_before
    assert list((services.store.root / ".scratch").iterdir()) == []


def test_a_skip_beyond_an_integer_is_a_400(server: LiveServer, world: World, indexed: dict) -> None:
    """The variant store's OFFSET is a 64-bit integer: a larger skip was a 500 from DuckDB."""
    auth = world.member("lab-a", Role.ANALYST).basic
    url = server.url + API + "/analysis/variant/query"
    for skip in (str(10**25), str(2**31)):
        r = requests.get(url, auth=auth, timeout=60, params={"study": "trio:default", "skip": skip})
        assert r.status_code == 400, r.text
        assert "skip must be" in r.json()["events"][0]["message"]
    r = requests.get(url, auth=auth, timeout=60, params={"study": "trio:default", "skip": str(2**31 - 1)})
    assert r.status_code == 200 and r.json()["responses"][0]["results"] == []


def test_checksum_build_and_size_errors(server: LiveServer, world: World, indexed: dict) -> None:
    auth = world.member("lab-a", Role.ANALYST).basic
    r = upload(server, auth, GIAB, checksum="0" * 32, relativeFilePath="other/")
    assert r.status_code == 422 and "MD5 mismatch" in r.json()["events"][0]["message"]
    r = upload(server, auth, GIAB, study="hg38:default")
    assert r.status_code == 422 and "GRCh37 but the project says GRCh38" in r.json()["events"][0]["message"]
    r = upload(server, auth, GIAB)
    assert r.status_code == 400 and "already exists" in r.json()["events"][0]["message"]
    services = server.services
    saved = services.settings
    services.settings = replace(saved, max_upload_bytes=1000)
    try:
        r = upload(server, auth, GIAB, relativeFilePath="big/")
        assert r.status_code == 413 and r.json()["events"][0]["name"] == "TooLarge"
    finally:
        services.settings = saved
    viewer = world.member("lab-a", Role.VIEWER).basic
    assert upload(server, viewer, GIAB, relativeFilePath="v/").status_code == 403


def test_query_exports_stream_every_match(server: LiveServer, world: World, indexed: dict) -> None:
    import csv
    import io

    auth = world.member("lab-a", Role.ANALYST).basic
    params = {"study": "trio:default", "genotype": "HG002:0/1;HG003:0/0;HG004:0/0", "includeSample": "all"}
    page = requests.get(
        server.url + API + "/analysis/variant/query", auth=auth, params={**params, "limit": "5000"}
    ).json()["responses"][0]["results"]
    r = requests.get(
        server.url + API + "/analysis/variant/export", auth=auth, params={**params, "format": "vcf"}
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    out = Path(server.services.settings.data_dir) / "export.vcf"
    out.write_bytes(r.content)
    lines = run_bcftools("query", "-f", "%CHROM\t%POS[\t%GT]\n", str(out)).splitlines()
    assert len(lines) == len(page) > 0
    assert all(
        line.split("\t")[2:]
        in (["0/1", "0/0", "0/0"], ["1/0", "0/0", "0/0"], ["0|1", "0|0", "0|0"], ["1|0", "0|0", "0|0"])
        or line.split("\t")[3:] == ["0/0", "0/0"]
        for line in lines
    )
    r = requests.get(
        server.url + API + "/analysis/variant/export", auth=auth, params={**params, "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == len(page) and {"chrom", "pos", "ref", "alt", "gene_symbol"} <= set(rows[0])


def test_csv_export_without_matches_is_its_header(server: LiveServer, world: World, indexed: dict) -> None:
    import csv
    import io

    from vardesk.app.exports import STUDY_COLUMNS as EXPORT_COLUMNS

    r = requests.get(
        server.url + API + "/analysis/variant/export",
        auth=world.member("lab-a", Role.ANALYST).basic,
        params={"study": "trio:default", "sample": "HG002", "region": "22:1-2", "format": "csv"},
    )
    assert r.status_code == 200, r.text
    reader = csv.DictReader(io.StringIO(r.text))
    assert list(reader) == [] and reader.fieldnames == list(EXPORT_COLUMNS)


def test_inhouse_counts_come_from_the_other_genomes(
    server: LiveServer, world: World, indexed: dict, tmp_path: Path
) -> None:
    import pysam

    auth = world.member("lab-a", Role.ANALYST).basic
    r = requests.get(
        server.url + API + "/analysis/variant/query",
        auth=auth,
        params={
            "study": "trio:default",
            "sample": "HG002",
            "includeSample": "HG002",
            "region": "1",
            "limit": "200",
        },
    )
    hits = r.json()["responses"][0]["results"]
    assert hits
    split = tmp_path / "split.vcf"
    split.write_text(run_bcftools("norm", "-m-", "-Ov", str(GIAB)))
    expected: dict[tuple[int, str, str], tuple[int, int]] = {}
    with pysam.VariantFile(str(split)) as vcf:
        for rec in vcf.fetch() if vcf.index else vcf:
            if rec.chrom not in ("1", "chr1"):
                continue
            alleles = [rec.samples[s]["GT"] for s in ("HG003", "HG004")]
            carriers = sum(1 for gt in alleles if gt and any(a == 1 for a in gt if a is not None))
            homs = sum(1 for gt in alleles if gt and len(gt) == 2 and gt[0] == gt[1] == 1)
            expected[(rec.pos, rec.ref, rec.alts[0])] = (carriers, homs)
    checked = 0
    for v in hits:
        vcf_pos = v["start"] - 1 if v["reference"] == "-" or v["alternate"] == "-" else v["start"]
        inhouse = next(p for p in v["annotation"]["populationFrequencies"] if p["study"] == "VARDESK_INHOUSE")
        assert inhouse["genomes"] == 2  # HG003 and HG004; HG002 itself is left out
        match = [
            k
            for k in expected
            if k[0] == vcf_pos and (len(k[1]) == 1 and len(k[2]) == 1) == (v["type"] == "SNV")
        ]
        if len(match) == 1:
            assert (inhouse["carriers"], inhouse["homozygotes"]) == expected[match[0]], v["id"]
            checked += 1
    assert checked >= 50


def test_inhouse_counts_do_not_depend_on_the_samples_shown(
    server: LiveServer, world: World, indexed: dict
) -> None:
    """At 1:65797 T>C HG002 is 1/1 and its parents 0/0. The genomes a query filters on are left out of the
    in-house counts, the ones only shown beside them (includeSample) are not, and a query on no sample
    counts every genome."""
    import pysam

    with pysam.VariantFile(str(GIAB)) as vcf:
        (rec,) = [r for r in vcf.fetch("1", 65796, 65797) if r.pos == 65797]
        genotypes = {s: rec.samples[s]["GT"] for s in ("HG002", "HG003", "HG004")}
    assert (rec.ref, rec.alts) == ("T", ("C",)) and genotypes["HG002"] == (1, 1)

    def expected(left_out: set[str]) -> tuple[int, int, int]:
        others = [gt for s, gt in genotypes.items() if s not in left_out]
        carriers = sum(1 for gt in others if 1 in gt)
        homs = sum(1 for gt in others if gt == (1, 1))
        return carriers, homs, len(others)

    auth = world.member("lab-a", Role.ANALYST).basic

    def inhouse(**params: str) -> tuple[int, int, int]:
        r = requests.get(
            server.url + API + "/analysis/variant/query",
            auth=auth,
            params={"study": "trio:default", "region": "1:65797-65797", **params},
        )
        assert r.status_code == 200, r.text
        (hit,) = r.json()["responses"][0]["results"]
        assert hit["id"] == "1:65797:T:C"
        (f,) = [p for p in hit["annotation"]["populationFrequencies"] if p["study"] == "VARDESK_INHOUSE"]
        assert f["altAlleleFreq"] == pytest.approx((f["carriers"] + f["homozygotes"]) / (2 * f["genomes"]))
        return f["carriers"], f["homozygotes"], f["genomes"]

    assert inhouse(sample="HG002") == expected({"HG002"}) == (0, 0, 2)
    assert inhouse(sample="HG002", includeSample="all") == expected({"HG002"})
    assert inhouse(sample="HG003", includeSample="HG002,HG003,HG004") == expected({"HG003"}) == (1, 1, 2)
    assert inhouse() == expected(set()) == (1, 1, 3)


def test_inhouse_counts_come_from_the_maintained_aggregate(
    module_services: Services, server: LiveServer, world: World, indexed: dict
) -> None:
    """Indexing brought the workspace's aggregate up to date; an aggregate gone stale (here: counting
    HG002 only) still gives the counts of every genome, and a refresh brings it up to date again."""
    from vardesk.app.inhouse import aggregate_key
    from vardesk.variants import inhouse

    store, ws = module_services.store, world.member("lab-a", Role.ANALYST).actor.workspace_id
    with module_services.ctx.uow() as uow:
        ready = {g.sample_name: g.genotypes_key for g in uow.genomes.ready_in_workspace(ws)}
    key = aggregate_key(ws)

    def counted() -> list[str]:
        with store.materialise(key) as path:
            return sorted(inhouse.members(path))

    assert counted() == sorted(ready.values())
    auth = world.member("lab-a", Role.ANALYST).basic

    def counts() -> list[tuple[str, int, int, int]]:
        r = requests.get(
            server.url + API + "/analysis/variant/query",
            auth=auth,
            params={"study": "trio:default", "sample": "HG003", "region": "1", "limit": "300"},
        )
        assert r.status_code == 200, r.text
        out = []
        for hit in r.json()["responses"][0]["results"]:
            (f,) = [p for p in hit["annotation"]["populationFrequencies"] if p["study"] == "VARDESK_INHOUSE"]
            out.append((hit["id"], f["carriers"], f["homozygotes"], f["genomes"]))
        return out

    current = counts()
    assert len(current) > 50 and any(c for _, c, _, _ in current)
    with store.scratch() as work, store.materialise(ready["HG002"]) as hg002:
        inhouse.merge(None, {ready["HG002"]: hg002}, {}, work / "stale.parquet")
        store.put_file(key, work / "stale.parquet", move=True)
    assert counted() == [ready["HG002"]]
    assert counts() == current
    module_services.variants.inhouse.refresh(ws)
    assert counted() == sorted(ready.values())
    assert counts() == current
    # the aggregate is partitioned by chromosome: the manifest names one partition per chromosome
    import pyarrow.parquet as pq

    from vardesk.app.inhouse import partitions_prefix

    with store.materialise(key) as path:
        parts = inhouse.manifest_partitions(pq.ParquetFile(path))
    assert parts is not None and sorted(parts) == [1, 2]
    assert sorted(parts.values()) == store.list(partitions_prefix(ws))  # nothing replaced is left
