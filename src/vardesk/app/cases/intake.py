"""Creating a case whose genomes come from files in the workspace's storage providers, in one request.

This is how a lab that keeps its sequencing output in a run folder creates a case (the Emedgene way): the
family with each member's sample named by a path inside a storage provider and the sample column of the
VCF. Everything is checked first — the files exist inside their providers and hold the named columns, the
case itself passes every rule of :meth:`CaseService.create` — and a dry run stops there, creating nothing.
Otherwise each distinct file is imported once through :class:`ImportGenome` (validation, storage, indexing),
an optional new gene list becomes a panel, and the case is created with the imported genomes; its analysis
starts when they are ready.

The cases live in one project of the workspace, named by the caller and created on first use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vardesk.app.cases.panels import PanelService
from vardesk.app.cases.service import CaseService, CaseView
from vardesk.app.commands import CreateCase, NewMember
from vardesk.app.context import ServiceContext
from vardesk.app.genomes import ByteSource, ImportGenome, ImportGenomeCommand
from vardesk.app.projects import ProjectService
from vardesk.app.storage_providers import ProviderFile, StorageProviderService
from vardesk.domain import cases as dc
from vardesk.domain.access import Actor, require_project_read
from vardesk.domain.errors import Invalid, NotFound, Unprocessable


@dataclass(frozen=True)
class StorageSample:
    """The sample of member ``member`` (its position in the case's members): column ``column`` of the VCF
    at ``path`` in storage provider ``provider`` (an empty column: the column named like the sample
    ``name``, else the file's only one)."""

    member: int
    provider: Any
    path: str
    column: str = ""
    name: str = ""


@dataclass(frozen=True)
class CreateCaseFromStorage:
    case: CreateCase  # its ``study`` is ignored: the case goes into ``project``'s default study
    project: str
    project_name: str = ""
    samples: Sequence[StorageSample] = ()
    panel_name: str = ""  # with ``panel_genes``: a new panel of these genes for the case
    panel_genes: Sequence[str] = ()
    dry_run: bool = False
    defer: bool = False  # record the case only; its members wait for their samples


class CaseIntake:
    def __init__(
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        cases: CaseService,
        panels: PanelService,
        providers: StorageProviderService,
        import_genome: ImportGenome,
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.cases = cases
        self.panels = panels
        self.providers = providers
        self.import_genome = import_genome

    def home(self, actor: Actor, project: str) -> str | None:
        """The study that holds the cases of ``project`` (``ws@project:study``), or None while the
        project does not exist."""
        with self.ctx.uow() as uow:
            found = uow.projects.by_code(actor.workspace_id, project)
            if found is None:
                return None
            require_project_read(actor, found)
            project_id = found.id or 0
        return self.projects.project_by_id(actor, project_id).default_study_fqn

    def run(self, actor: Actor, cmd: CreateCaseFromStorage) -> CaseView | None:
        """Check everything; unless a dry run, import the files and create the case (None for a dry run)."""
        members = list(cmd.case.members)
        files = self._check_samples(actor, cmd.samples, len(members))
        data = cmd.case.as_data()
        if cmd.panel_genes:
            if not cmd.panel_name.strip():
                raise Invalid("a new gene list needs a name")
            data["panel_id"] = None
        home = self.home(actor, cmd.project)
        self.cases.check_new(actor, home, data)
        if cmd.dry_run:
            return None
        study = self.projects.project_for_code(
            actor, cmd.project, {"name": cmd.project_name}
        ).default_study_fqn
        if cmd.panel_genes:
            panel, _ = self.panels.create(actor, {"name": cmd.panel_name, "genes": list(cmd.panel_genes)})
            data["panel_id"] = panel.id
        if not cmd.defer:
            genomes = self._import(actor, study, files)
            for sample, file in zip(cmd.samples, files, strict=True):
                key = (file[0].provider.id, file[0].path)
                data["members"][sample.member]["genome"] = genomes[key][file[1]]
        return self.cases.create_case(actor, replace(cmd.case, study=study, **_fields(data)))

    def wait_ready(
        self,
        actor: Actor,
        project: str,
        names: Sequence[str],
        timeout: float,
        progress: Callable[[int, int], None] | None = None,
        *,
        poll: float = 0.5,
    ) -> dict[str, str]:
        """Poll the cases ``names`` of ``project`` until each is ready (its analysis has run: READY TO
        REVIEW or later) or FAILED, or ``timeout`` seconds have passed. Returns each case's outcome:
        ``ready``, ``failed``, ``waiting for sample`` (created to wait for its files: not waited for) or
        ``timeout``. The analyses run wherever the job executor runs (the server, or the caller's)."""
        home = self.home(actor, project)
        if home is None:
            raise NotFound(f"project {project[:40]!r} not found")
        deadline = time.monotonic() + max(timeout, 0.0)
        ids = {name: self.cases.get(actor, name, home).case.id for name in names}  # read access, once
        outcome: dict[str, str] = {}
        while True:
            for name in names:
                if name in outcome:
                    continue
                with self.ctx.uow() as uow:  # the status only (no patient data): not a case read
                    case = uow.cases.get(ids[name] or 0)
                if case is None:
                    outcome[name] = "failed"
                elif case.status == dc.FAILED:
                    outcome[name] = "failed"
                elif case.status == dc.WAITING_FOR_SAMPLE:  # created with its genomes, it is WAITING
                    outcome[name] = "waiting for sample"
                elif case.status != dc.WAITING:
                    outcome[name] = "ready"
            if progress is not None:
                progress(len(outcome), len(names))
            if len(outcome) == len(names) or time.monotonic() >= deadline:
                return {name: outcome.get(name, "timeout") for name in names}
            time.sleep(poll)

    # -- the steps -----------------------------------------------------------------------------------
    def _check_samples(
        self, actor: Actor, samples: Sequence[StorageSample], n_members: int
    ) -> list[tuple[ProviderFile, str]]:
        out = []
        seen: set[int] = set()
        for sample in samples:
            if not 0 <= sample.member < n_members:
                raise Invalid(f"sample of member {sample.member}: the case has {n_members} members")
            if sample.member in seen:
                raise Invalid(f"member {sample.member} has two sample files; give one VCF per member")
            seen.add(sample.member)
            file = self.providers.locate(actor, sample.provider, sample.path)
            columns = self.providers.vcf_samples(file)
            column = sample.column or (
                sample.name if sample.name in columns else (columns[0] if len(columns) == 1 else "")
            )
            if not column:
                raise Unprocessable(
                    f"the VCF of member {sample.member} has {len(columns)} sample columns; name its column"
                )
            if column not in columns:
                raise Unprocessable(f"the VCF of member {sample.member} has no sample column of that name")
            out.append((file, column))
        return out

    def _import(
        self, actor: Actor, study: str, files: list[tuple[ProviderFile, str]]
    ) -> dict[tuple[int | None, str], dict[str, int]]:
        """Each distinct file imported once: its genome ids by sample column."""
        genomes: dict[tuple[int | None, str], dict[str, int]] = {}
        for file, _ in files:
            key = (file.provider.id, file.path)
            if key in genomes:
                continue
            with self.providers.open(file) as fh:
                result = self.import_genome.run(
                    ImportGenomeCommand(
                        actor=actor,
                        study=study,
                        source=ByteSource(fh, file.name),
                        genome_attributes={"storage_provider": file.provider.id},
                        rename_duplicates=True,
                    )
                )
            genomes[key] = {g.sample_name: g.id or 0 for g in result.genomes}
        return genomes


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The command fields a changed ``as_data`` dict gives back (members with their genomes, the panel)."""
    return {
        "panel": data.get("panel_id"),
        "members": [
            NewMember(
                relation=m.get("relation", ""),
                sex=m.get("sex"),
                affected=m.get("affected"),
                label=m.get("label", ""),
                genome=m.get("genome"),
            )
            for m in data["members"]
        ],
    }
