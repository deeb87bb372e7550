"""A case's gene ranking follows its phenotype: changing the HPO terms re-runs the analysis from the stored
genotypes (no re-ingest), stores a new ranked list and reports what moved in the case's history."""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path

from tests.app.test_chain_inputs import S1
from tests.world import build_world
from vardesk.app.cases.prioritisation import what_moved
from vardesk.app.composition import Services
from vardesk.app.files import UploadedBlob
from vardesk.domain.enums import JobState, Role
from vardesk.storage.blobs import spooled_upload
from vardesk.synthetic.loci import build_loci_bundle


def _wait(predicate, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while not (value := predicate()):
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)
    return value


def test_a_phenotype_change_reranks_without_reingest(services: Services, tmp_path: Path) -> None:
    actor = build_world(services, ("demo",)).member("demo", Role.ANALYST).actor
    services.annotation.install(
        build_loci_bundle(tmp_path / "loci"), workspace="demo"
    )  # synthetic: demo only
    services.projects.create_project(actor, {"id": "rank", "organism": {"assembly": "GRCh37"}})
    with spooled_upload(services.store, io.BytesIO(gzip.compress(S1.encode())), max_bytes=10**6) as blob:
        view = services.files.register_upload(actor, "rank:default", UploadedBlob(*blob), name="s1.vcf.gz")
    services.start_executor()
    case = services.cases.create(
        actor,
        "rank:default",
        {
            "id": "R1",
            "type": "exome",
            "hpo_terms": [],  # no phenotype yet: the burden alone ranks
            "members": [{"relation": "PROBAND", "sample": "S1", "sex": "FEMALE", "affected": "AFFECTED"}],
        },
    )
    services.indexing.index_files(actor, "rank:default", [view.file.code])

    def runs(n: int) -> list | None:  # type: ignore[type-arg]
        with services.ctx.uow() as uow:
            c = uow.cases.get(case.case.id)
            assert c is not None and c.status != "FAILED", c.status_reason
            found = uow.analyses.of_case(case.case.id or 0)
        return found if len(found) >= n else None

    first = _wait(lambda: runs(1))[0]
    assert first.run == 1 and first.hpo_terms == []
    assert {g["gene"] for g in first.genes} == {"ABCB1", "BRCA1"}
    # homozygous missense (recessive) outscores a heterozygous one (dominant) on burden alone
    assert [g["gene"] for g in first.genes] == ["ABCB1", "BRCA1"] and first.genes[0]["phenotype"] is None
    with services.ctx.uow() as uow:
        index_jobs = uow.jobs.search(actor.workspace_id, {"tool": "variant-index"}, None)

    # breast carcinoma, ovarian neoplasm: BRCA1's phenotype
    services.cases.update(actor, "R1", {"hpo_terms": ["HP:0003002", "HP:0100615"]}, "rank:default")
    second = _wait(lambda: runs(2))[1]
    assert second.run == 2 and second.hpo_terms == ["HP:0003002", "HP:0100615"]
    assert second.genes[0]["gene"] == "BRCA1"
    assert second.genes[0]["phenotype"]["score"] > next(
        g["phenotype"]["score"] for g in second.genes if g["gene"] == "ABCB1"
    )
    moved = what_moved(first.genes, second.genes)
    assert moved["top_changed"] and {m["gene"] for m in moved["moved"]} == {"ABCB1", "BRCA1"}
    assert {k: second.summary[k] for k in ("moved", "top_changed", "top")} == moved

    def rankings(n: int) -> list | None:  # type: ignore[type-arg]
        # the history entry is written just after the run's ranking is stored
        history = services.cases.history(actor, "R1", "rank:default")
        found = [e.changes["analysis"]["ranking"] for e in history if "analysis" in (e.changes or {})]
        return found if len(found) >= n else None

    ranking = _wait(lambda: rankings(2))
    assert ranking[-1]["moved"] == moved["moved"] and ranking[-1]["genes"] == 2
    with services.ctx.uow() as uow:
        again = uow.jobs.search(actor.workspace_id, {"tool": "variant-index"}, None)
        done = uow.jobs.search(actor.workspace_id, {"tool": "case-analysis"}, None)
    assert len(again) == len(index_jobs) == 1  # the genotypes were not read again from the VCF
    assert [j.state for j in done] == [JobState.DONE, JobState.DONE]
