"""Gene panels: genes added by symbol or id, validated against the gene catalogue (HGNC, MANE) with the
installed bundles' gene tables layered on top."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vardesk.app.annotation import AnnotationService
from vardesk.app.context import ServiceContext, audit
from vardesk.domain.access import Actor, require_role
from vardesk.domain.cases import Panel
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid, NotFound

PANEL_TEXT_FIELDS = (
    "name",
    "description",
    "methodology",
    "limitations",
    "fda_disclosure",
    "test_code",
    "version",
)


@dataclass(frozen=True)
class GeneAddition:
    """What happened to each gene a lab asked to add (input order kept)."""

    added: list[str]
    already_added: list[str]
    ambiguous: list[dict[str, Any]]
    not_found: list[str]


class PanelService:
    def __init__(self, ctx: ServiceContext, annotation: AnnotationService) -> None:
        self.ctx = ctx
        self.annotation = annotation

    def catalogue(self, workspace_id: int) -> Any:
        """The gene catalogue with the gene tables of the bundles this workspace may use layered on it (a
        synthetic bundle's made-up genes never reach a workspace it is not enabled for)."""
        from vardesk.knowledge import gene_catalogue

        cat = gene_catalogue()
        for manifest in self.annotation.usable_bundles(workspace_id):
            cat = cat.with_installed_bundle(self.annotation.bundle(manifest.id))
        return cat

    def create(self, actor: Actor, data: dict[str, Any]) -> tuple[Panel, GeneAddition]:
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="creating panels")
        if not str(data.get("name") or "").strip():
            raise Invalid("a panel needs a name")
        with self.ctx.uow() as uow:
            panel = uow.panels.add(
                Panel(
                    workspace_id=actor.workspace_id,
                    created_by=actor.user_id,
                    **{k: str(data.get(k) or "") for k in PANEL_TEXT_FIELDS if k != "version"},
                    version=str(data.get("version") or "1"),
                    regions=[str(r) for r in data.get("regions") or []],
                )
            )
            audit(uow, "panel_create", actor=actor, entity_type="panel", entity_id=panel.id)
            uow.commit()
        result = self.add_genes(actor, panel.id or 0, list(data.get("genes") or []))
        return self.get(actor, panel.id or 0), result

    def get(self, actor: Actor, panel_id: int) -> Panel:
        with self.ctx.uow() as uow:
            panel = uow.panels.get(panel_id)
        if panel is None or panel.workspace_id != actor.workspace_id:
            raise NotFound(f"panel {panel_id} not found")
        return panel

    def update(self, actor: Actor, panel_id: int, data: dict[str, Any]) -> Panel:
        """Change a panel's text fields; keys absent or ``None`` are left as they are. Genes change through
        :meth:`add_genes` / :meth:`remove_genes`."""
        self.get(actor, panel_id)  # another workspace's panel does not exist for the actor
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="changing panels")
        changes = {k: str(data[k]).strip() for k in PANEL_TEXT_FIELDS if data.get(k) is not None}
        for key in ("name", "version"):
            if key in changes and not changes[key]:
                raise Invalid(f"a panel's {key} cannot be empty")
        with self.ctx.uow() as uow:
            panel = uow.panels.get(panel_id)
            assert panel is not None
            for key, value in changes.items():
                setattr(panel, key, value)
            panel.modified_at = self.ctx.clock()
            audit(
                uow,
                "panel_update",
                actor=actor,
                entity_type="panel",
                entity_id=panel_id,
                details={"fields": sorted(changes)},
            )
            uow.commit()
        return panel

    def list(self, actor: Actor) -> list[Panel]:
        with self.ctx.uow() as uow:
            return list(uow.panels.in_workspace(actor.workspace_id))

    def add_genes(self, actor: Actor, panel_id: int, queries: list[str]) -> GeneAddition:
        current = self.get(actor, panel_id)  # another workspace's panel does not exist for the actor
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="changing panels")
        result = self.catalogue(actor.workspace_id).resolve_many(
            [str(q) for q in queries], existing=current.genes
        )
        addition = GeneAddition(
            added=[g.symbol for g in result.added],
            already_added=[g.symbol for g in result.already_added],
            ambiguous=[{"query": r.query, "candidates": list(r.symbols)} for r in result.ambiguous],
            not_found=list(result.not_found),
        )
        with self.ctx.uow() as uow:
            panel = uow.panels.get(panel_id)
            assert panel is not None
            if addition.added:
                panel.genes = [*panel.genes, *addition.added]
                panel.modified_at = self.ctx.clock()
            audit(
                uow,
                "panel_genes",
                actor=actor,
                entity_type="panel",
                entity_id=panel_id,
                details={"added": len(addition.added)},
            )
            uow.commit()
        return addition

    def remove_genes(self, actor: Actor, panel_id: int, symbols: list[str]) -> Panel:
        self.get(actor, panel_id)
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="changing panels")
        drop = {s.upper() for s in symbols}
        with self.ctx.uow() as uow:
            panel = uow.panels.get(panel_id)
            if panel is None or panel.workspace_id != actor.workspace_id:
                raise NotFound(f"panel {panel_id} not found")
            panel.genes = [g for g in panel.genes if g.upper() not in drop]
            panel.modified_at = self.ctx.clock()
            audit(uow, "panel_genes", actor=actor, entity_type="panel", entity_id=panel_id)
            uow.commit()
        return panel
