"""A workspace's case configuration: review statuses, patient fields, assay types with their QC fields,
and the condition–gene knowledge the lab keeps."""

from __future__ import annotations

import re
from typing import Any

from vardesk.app.context import ServiceContext, audit
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor, require_role
from vardesk.domain.cases import AssayType, ConditionGene, WorkspaceConfig, check_review_statuses
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound

DEFAULT_PATIENT_FIELDS = (
    "Last Name",
    "First Name",
    "Patient DOB",
    "Accession ID",
    "Patient Sex",
    "Patient Ethnicity",
    "Indication for Testing",
    "Specimen Type",
    "Date Specimen Collected",
    "Date Specimen Received",
    "Ordering Physician",
    "Patient Age",
)
CONDITION_TEXT_FIELDS = ("cui", "inheritance", "prevalence", "penetrance", "age_of_onset", "notes")
_PMID_SEPARATORS = re.compile(r"[\s,;|]+")
DEFAULT_ASSAY = (
    "Whole exome sequencing",
    "Exome sequencing on a short-read platform",
    ["Mean coverage", "% target bases >= 20x", "Total reads", "Contamination"],
)


def seed_workspace(uow: UnitOfWork, workspace_id: int) -> None:
    """Every new workspace starts with the default patient fields, review statuses and one assay type."""
    uow.workspace_configs.add(
        WorkspaceConfig(workspace_id=workspace_id, patient_fields=list(DEFAULT_PATIENT_FIELDS))
    )
    name, description, fields = DEFAULT_ASSAY
    uow.assay_types.add(
        AssayType(workspace_id=workspace_id, name=name, description=description, qc_fields=list(fields))
    )


class ConfigurationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def config(self, uow: UnitOfWork, workspace_id: int) -> WorkspaceConfig:
        cfg = uow.workspace_configs.of_workspace(workspace_id)
        return cfg or WorkspaceConfig(workspace_id=workspace_id, patient_fields=list(DEFAULT_PATIENT_FIELDS))

    def get(self, actor: Actor) -> WorkspaceConfig:
        with self.ctx.uow() as uow:
            return self.config(uow, actor.workspace_id)

    def review_statuses(self, uow: UnitOfWork, workspace_id: int) -> tuple[str, ...]:
        return tuple(self.config(uow, workspace_id).review_statuses)

    def update(self, actor: Actor, data: dict[str, Any]) -> WorkspaceConfig:
        require_role(actor, Role.ADMIN, action="changing the workspace configuration")
        with self.ctx.uow() as uow:
            cfg = uow.workspace_configs.of_workspace(actor.workspace_id)
            if cfg is None:
                cfg = uow.workspace_configs.add(self.config(uow, actor.workspace_id))
            if "review_statuses" in data:
                cfg.review_statuses = check_review_statuses(list(data["review_statuses"] or []))
            if "patient_fields" in data:
                fields = [str(f).strip() for f in data["patient_fields"] or [] if str(f).strip()]
                if len(set(fields)) != len(fields):
                    raise Invalid("patient fields must be unique")
                cfg.patient_fields = fields
            cfg.modified_at = self.ctx.clock()
            audit(
                uow,
                "configuration_update",
                actor=actor,
                entity_type="workspace",
                entity_id=actor.workspace_id,
                details={"fields": sorted(data)},
            )
            uow.commit()
        return cfg

    # -- assay types -----------------------------------------------------------------------------
    def assay_types(self, actor: Actor) -> list[AssayType]:
        with self.ctx.uow() as uow:
            return list(uow.assay_types.in_workspace(actor.workspace_id))

    def assay_type(self, actor: Actor, assay_id: int) -> AssayType:
        with self.ctx.uow() as uow:
            assay = uow.assay_types.get(assay_id)
        if assay is None or assay.workspace_id != actor.workspace_id:
            raise NotFound(f"assay type {assay_id} not found")
        return assay

    def assay(self, uow: UnitOfWork, workspace_id: int, name: str) -> AssayType:
        assay = uow.assay_types.by_name(workspace_id, name)
        if assay is None:
            raise Invalid(f"assay type {name!r} is not defined in this workspace")
        return assay

    def create_assay_type(self, actor: Actor, data: dict[str, Any]) -> AssayType:
        require_role(actor, Role.ADMIN, Role.DIRECTOR, action="defining assay types")
        name = str(data.get("name") or "").strip()
        if not name:
            raise Invalid("an assay type needs a name")
        fields = [str(f).strip() for f in data.get("qc_fields") or [] if str(f).strip()]
        with self.ctx.uow() as uow:
            if uow.assay_types.by_name(actor.workspace_id, name):
                raise Conflict(f"assay type {name!r} already exists")
            assay = uow.assay_types.add(
                AssayType(
                    workspace_id=actor.workspace_id,
                    name=name,
                    description=str(data.get("description") or ""),
                    qc_fields=fields,
                )
            )
            audit(uow, "assay_type_create", actor=actor, entity_type="assay_type", entity_id=assay.id)
            uow.commit()
        return assay

    # -- condition genes ---------------------------------------------------------------------------
    def condition_genes(
        self, actor: Actor, gene: str | None = None, cui: str | None = None
    ) -> list[ConditionGene]:
        with self.ctx.uow() as uow:
            return list(uow.condition_genes.search(actor.workspace_id, gene, cui))

    def create_condition_gene(self, actor: Actor, data: dict[str, Any]) -> ConditionGene:
        return self.save_condition_gene(actor, data, replace=False)[0]

    def save_condition_gene(
        self, actor: Actor, data: dict[str, Any], *, replace: bool = True
    ) -> tuple[ConditionGene, bool]:
        """Record what the lab knows of a gene–condition pair; returns it and whether it is new.

        With ``replace``, a pair already recorded under the same CUI and gene is updated instead of
        duplicated, so uploading the same spreadsheet twice converges. ``pmids`` is a list or one string
        of ids separated by commas, semicolons or spaces."""
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="recording condition genes")
        gene, condition = str(data.get("gene") or "").strip(), str(data.get("condition") or "").strip()
        if not gene or not condition:
            raise Invalid("a condition gene needs a gene and a condition")
        raw = data.get("pmids") or []
        items = _PMID_SEPARATORS.split(raw) if isinstance(raw, str) else [str(p) for p in raw]
        pmids = [p.strip() for p in items if p.strip()]
        bad = [p for p in pmids if not p.isdigit()]
        if bad:
            raise Invalid(f"PMIDs are numbers; got {', '.join(bad)}")
        text = {k: str(data.get(k) or "").strip() for k in CONDITION_TEXT_FIELDS}
        with self.ctx.uow() as uow:
            same = (
                uow.condition_genes.search(actor.workspace_id, gene, text["cui"])
                if replace and text["cui"]
                else []
            )
            row = same[0] if same else None
            if row is None:
                row = uow.condition_genes.add(
                    ConditionGene(
                        workspace_id=actor.workspace_id,
                        gene=gene.upper(),
                        condition=condition,
                        pmids=pmids,
                        **text,
                    )
                )
            else:
                row.condition, row.pmids = condition, pmids
                for key, value in text.items():
                    setattr(row, key, value)
            action = "condition_gene_update" if same else "condition_gene_create"
            audit(uow, action, actor=actor, entity_type="condition_gene", entity_id=row.id)
            uow.commit()
        return row, not same
