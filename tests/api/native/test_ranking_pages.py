"""A case's ranking is stored whole (no 500-gene cap) and the native face pages it with limit/skip,
numMatches counting every gene; on SQLite and PostgreSQL."""

from __future__ import annotations

import requests

from tests.conftest import LiveServer
from tests.world import build_world
from vardesk.analysis.prioritise import Family, Genotype, VariantCall, prioritise
from vardesk.app.cases.prioritisation import ranking_doc
from vardesk.app.composition import Services
from vardesk.domain.analyses import CASE, COMPLETE, GeneAnalysis
from vardesk.domain.enums import Role

API = "/api/v2"
GENES = 620


def test_ranking_pages_reach_every_gene(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    services.projects.create_project(analyst.actor, {"id": "big", "organism": {"assembly": "GRCh37"}})
    view = services.cases.create(
        analyst.actor,
        "big:default",
        {"id": "BIG", "type": "exome", "members": [{"relation": "PROBAND", "affected": "AFFECTED"}]},
    )
    calls = [
        VariantCall("1", 1000 + i, "C", "T", (f"G{i:04d}",), "stop_gained", {"proband": Genotype(1, "0/1")})
        for i in range(GENES)
    ]
    genes = ranking_doc(prioritise(calls, Family.solo(), []))
    case = view.case
    with services.ctx.uow() as uow:  # a run's stored ranking, as the case analysis writes it
        uow.analyses.add(
            GeneAnalysis(
                workspace_id=case.workspace_id,
                project_id=case.project_id,
                study_id=case.study_id,
                kind=CASE,
                created_by=case.created_by,
                case_id=case.id,
                run=1,
                status=COMPLETE,
                genes=genes,
                summary={"genes": len(genes)},
            )
        )
        uow.commit()
    with LiveServer(services, run_jobs=False) as server:

        def page(**params: object) -> dict:
            r = requests.get(
                server.url + API + "/analysis/clinical/BIG/prioritisation",
                params={"study": "big:default", **params},
                auth=analyst.basic,
                timeout=60,
            )
            assert r.status_code == 200, r.text
            return r.json()["responses"][0]

        far = page(skip=600, limit=15)
        assert far["numMatches"] == GENES
        ranking = far["results"][0]
        assert (ranking["numGenes"], ranking["skip"], ranking["limit"]) == (GENES, 600, 15)
        assert [g["rank"] for g in ranking["genes"]] == list(range(601, 616))
        last = page(skip=610, limit=100)["results"][0]["genes"]
        assert [g["rank"] for g in last] == list(range(611, GENES + 1))
        first = page()["results"][0]
        assert len(first["genes"]) == 100 and first["genes"][0]["rank"] == 1
        seen = [
            g["gene"]
            for skip in range(0, GENES, 250)
            for g in page(skip=skip, limit=250)["results"][0]["genes"]
        ]
        assert len(seen) == len(set(seen)) == GENES
