"""Interpreting report variants: status, reporting decision, classification, notes — every change logged."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from vardesk.app.cases import incidental
from vardesk.app.cases.records import CaseRecords
from vardesk.app.cases.structural import StructuralVariant, read_structural
from vardesk.app.commands import SetReportVariant
from vardesk.app.context import ServiceContext, audit
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor, require_project_write
from vardesk.domain.acmg import AcmgCriterion, ManualCriterion, labels
from vardesk.domain.cases import (
    ReportVariant,
    ToReport,
    VariantEvent,
    VariantStatus,
    find_report_variant,
)
from vardesk.domain.enums import Classification, GenomeState, VariantTag
from vardesk.domain.errors import Invalid, NotFound, Unprocessable
from vardesk.domain.ids import ascii_int
from vardesk.storage.blobs import BlobStore


def _enum(cls: type, value: Any, what: str) -> Any:
    try:
        return cls(str(value).strip().upper() if cls is not Classification else str(value).strip())
    except ValueError:
        allowed = ", ".join(m.value for m in cls)  # type: ignore[attr-defined]
        raise Invalid(f"{what} {value!r} is not one of {allowed}") from None


def parse_classification(value: Any) -> str:
    """An ACMG tier in any spelling it is shown with (``Likely pathogenic``, OpenCGA's
    ``LIKELY_PATHOGENIC`` / ``UNCERTAIN_SIGNIFICANCE``) or an abbreviation; ``NOT_ASSESSED`` clears it."""
    if value in (None, ""):
        return ""
    text = str(value).strip()
    if text.upper().replace(" ", "_") == "NOT_ASSESSED":
        return ""
    for c in Classification:
        spellings = (c.value.lower(), c.name.lower(), c.value.lower().replace(" ", "_"))
        if text.lower() in spellings or text.lower().replace("_", " ") in spellings:
            return c.value
    aliases = {
        "vus": Classification.UNCERTAIN_SIGNIFICANCE,
        "uncertain": Classification.UNCERTAIN_SIGNIFICANCE,
        "lp": Classification.LIKELY_PATHOGENIC,
        "lb": Classification.LIKELY_BENIGN,
        "p": Classification.PATHOGENIC,
        "b": Classification.BENIGN,
    }
    if text.lower() in aliases:
        return aliases[text.lower()].value
    raise Invalid(f"classification {value!r} is not one of the five ACMG tiers")


def parse_criteria(
    values: Any,
    *,
    by: str | None = None,
    at: str | None = None,
    previous: list[ManualCriterion] | tuple[ManualCriterion, ...] = (),
) -> list[ManualCriterion]:
    """A reviewer's criteria: each a written criterion (``PM2_Supporting``, ``PM2_P``, ``PVS1 (strong)``)
    or an object ``{code, strength?, comment?}``. Each is checked against the vocabulary and the SVI rules
    and stamped with who/when/why; one that was already recorded at the same strength (and no new
    comment) keeps its original stamp."""
    if values is None:
        values = []
    if not isinstance(values, list | tuple):
        raise Invalid(f"criteria must be a list of ACMG/AMP criteria, got {values!r}")
    kept = {p.criterion: p for p in previous}
    out: list[ManualCriterion] = []
    for v in values:
        if isinstance(v, dict):
            unknown = sorted(set(v) - {"code", "strength", "comment"})
            if unknown:
                raise Invalid(f"unknown criterion field(s) {', '.join(unknown)}; use code, strength, comment")
            crit = AcmgCriterion.parse(v.get("code"), v.get("strength"), recorded=kept)
            comment = str(v.get("comment") or "").strip() or None
        else:
            crit, comment = AcmgCriterion.parse(v, recorded=kept), None
        if any(e.code == crit.code for e in out):
            raise Invalid(f"criterion {crit.code} is given more than once", value=crit.code)
        was = kept.get(crit)
        if was is not None and comment in (None, was.comment):
            out.append(was)
        else:
            out.append(ManualCriterion(crit, by=by, at=at, comment=comment))
    return out


class InterpretationService:
    def __init__(self, ctx: ServiceContext, cases: CaseRecords, store: BlobStore) -> None:
        self.ctx = ctx
        self.cases = cases
        self.store = store

    def variants(
        self, actor: Actor, case_ref: str, *, study_ref: str | None = None, include_inactive: bool = False
    ) -> list[ReportVariant]:
        with self.ctx.uow() as uow:
            _, case = self.cases.find(uow, actor, case_ref, study_ref)
            rows = uow.report_variants.of_case(case.id or 0, active_only=not include_inactive)
            audit(
                uow,
                "report_variants_read",
                actor=actor,
                entity_type="case",
                entity_id=case.id,
                details={"count": len(rows)},
            )
            uow.commit()
        return rows

    def variant(
        self, actor: Actor, case_ref: str, variant_ref: int | str, *, study_ref: str | None = None
    ) -> ReportVariant:
        """One report variant of the case (also one a later run no longer found), read like the list."""
        with self.ctx.uow() as uow:
            _, case = self.cases.find(uow, actor, case_ref, study_ref)
            rv = self._variant(uow, case.id or 0, variant_ref)
            audit(
                uow,
                "report_variants_read",
                actor=actor,
                entity_type="case",
                entity_id=case.id,
                details={"count": 1},
            )
            uow.commit()
        return rv

    def _variant(self, uow: UnitOfWork, case_id: int, variant_ref: int | str) -> ReportVariant:
        """A report variant of the case by its reportVariantId or by the id it is shown with."""
        if isinstance(variant_ref, int) or ascii_int(str(variant_ref).strip()) is not None:
            rv = uow.report_variants.get(variant_ref if isinstance(variant_ref, int) else int(variant_ref))
            if rv is None or rv.case_id != case_id:
                raise NotFound(f"report variant {variant_ref} not found in this case")
            return rv
        return find_report_variant(uow.report_variants.of_case(case_id, active_only=False), variant_ref)

    def update_variant(
        self,
        actor: Actor,
        case_ref: str,
        variant_id: int | str,
        data: dict[str, Any],
        *,
        study_ref: str | None = None,
    ) -> ReportVariant:
        """Apply an interpretation change; each changed field is one scoring-audit entry."""
        with self.ctx.uow() as uow:
            study, case = self.cases.find(uow, actor, case_ref, study_ref)
            require_project_write(actor, study.project)
            self.cases.mark_interpreted(uow, actor, case)
            rv = self._variant(uow, case.id or 0, variant_id)
            new: dict[str, Any] = {}
            if "status" in data:
                new["status"] = _enum(VariantStatus, data["status"], "status")
            if "to_report" in data:
                new["to_report"] = _enum(ToReport, data["to_report"], "to_report")
                if new["to_report"] is ToReport.SECONDARY_FINDING and incidental.refused(case):
                    raise Unprocessable("the patient did not consent to secondary findings being reported")
            if "tag" in data:
                try:
                    new["tag"] = VariantTag.parse(data["tag"])
                except ValueError as e:
                    raise Invalid(str(e)) from None
            if "classification" in data:
                new["classification"] = parse_classification(data["classification"])
            if "criteria" in data:
                stamp = self.ctx.clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
                new["criteria"] = parse_criteria(
                    data["criteria"], by=actor.login, at=stamp, previous=rv.criteria
                )
            for key in ("interpretation", "internal_notes"):
                if key in data:
                    new[key] = str(data[key] or "")
            unknown = set(data) - set(new) - {"id"}
            if unknown:
                raise Invalid(f"unknown field(s) {', '.join(sorted(unknown))}")
            self._apply(uow, actor, rv, new)
            self.cases.record(uow, actor, case, "interpret", {"variant": rv.id, "fields": sorted(new)})
            uow.commit()
        return rv

    def add_note(
        self, actor: Actor, case_ref: str, variant_id: int | str, note: str, *, study_ref: str | None = None
    ) -> ReportVariant:
        """Append a line to a variant's internal notes (logged like any other change)."""
        note = str(note or "").strip()
        if not note:
            raise Invalid("a note needs text")
        with self.ctx.uow() as uow:
            _, case = self.cases.find(uow, actor, case_ref, study_ref)
            old = self._variant(uow, case.id or 0, variant_id).internal_notes
        text = f"{old}\n{note}" if old else note
        return self.update_variant(actor, case_ref, variant_id, {"internal_notes": text}, study_ref=study_ref)

    def set_report_variant(self, actor: Actor, command: SetReportVariant) -> ReportVariant:
        """:meth:`update_variant` from the typed command the faces build."""
        return self.update_variant(
            actor, command.case, command.variant, command.as_data(), study_ref=command.study
        )

    def _apply(self, uow: UnitOfWork, actor: Actor | None, rv: ReportVariant, new: dict[str, Any]) -> None:
        for key, value in new.items():
            old = getattr(rv, key)
            if old == value:
                continue
            if key == "criteria":  # the labels as before, then the entries with who/when/why
                if labels(old) != labels(value):
                    self._log(uow, actor, rv, key, labels(old), labels(value))
                self._log(
                    uow, actor, rv, "acmg_evidence", [e.to_dict() for e in old], [e.to_dict() for e in value]
                )
                rv.criteria = list(value)
                continue
            self._log(uow, actor, rv, key, getattr(old, "value", old), getattr(value, "value", value))
            setattr(rv, key, value)
        rv.modified_at = self.ctx.clock()

    @staticmethod
    def _log(uow: UnitOfWork, actor: Actor | None, rv: ReportVariant, key: str, old: Any, new: Any) -> None:
        uow.variant_events.add(
            VariantEvent(
                report_variant_id=rv.id or 0,
                case_id=rv.case_id,
                user_id=actor.user_id if actor else None,
                field=key,
                old=old,
                new=new,
            )
        )

    def history(
        self, actor: Actor, case_ref: str, variant_id: int | str, *, study_ref: str | None = None
    ) -> list[VariantEvent]:
        with self.ctx.uow() as uow:
            _, case = self.cases.find(uow, actor, case_ref, study_ref)
            rv = self._variant(uow, case.id or 0, variant_id)
            events = uow.variant_events.of_variant(rv.id or 0)
            audit(uow, "variant_history_read", actor=actor, entity_type="case", entity_id=case.id)
            uow.commit()
            return events

    def scored(
        self, actor: Actor, case_ref: str, *, study_ref: str | None = None
    ) -> list[tuple[ReportVariant, str, list[VariantEvent]]]:
        """Each active report variant with its scoring status and its scoring audit log (oldest first)."""
        with self.ctx.uow() as uow:
            _, case = self.cases.find(uow, actor, case_ref, study_ref)
            rows = uow.report_variants.of_case(case.id or 0)
            events: dict[int, list[VariantEvent]] = {}
            for e in uow.variant_events.of_case(case.id or 0):
                events.setdefault(e.report_variant_id, []).append(e)
            audit(uow, "report_variants_read", actor=actor, entity_type="case", entity_id=case.id)
            uow.commit()
        return [
            (rv, scoring_status(rv, events.get(rv.id or 0, [])), events.get(rv.id or 0, [])) for rv in rows
        ]

    def structural(
        self, actor: Actor, case_ref: str, *, study_ref: str | None = None
    ) -> list[StructuralVariant]:
        """The structural records of the proband's genome (none until it is indexed)."""
        with self.ctx.uow() as uow:
            _, case = self.cases.find(uow, actor, case_ref, study_ref)
            members = uow.case_members.of_case(case.id or 0)
            proband = next((m for m in members if m.relation == "PROBAND"), members[0] if members else None)
            genome = uow.genomes.get(proband.genome_id) if proband and proband.genome_id else None
            audit(uow, "structural_variants_read", actor=actor, entity_type="case", entity_id=case.id)
            uow.commit()
        if genome is None or genome.state is not GenomeState.READY or not genome.genotypes_key:
            return []
        with self.store.materialise(genome.genotypes_key) as genotypes:
            return read_structural(genotypes)

    def copy_variants(self, uow: UnitOfWork, from_case: int, to_case: int) -> None:
        keep = [f for f in ReportVariant.__dataclass_fields__ if f not in ("id", "case_id", "created_at")]
        for rv in uow.report_variants.of_case(from_case):
            uow.report_variants.add(ReportVariant(case_id=to_case, **{k: getattr(rv, k) for k in keep}))

    # -- confirmation round trip --------------------------------------------------------------------
    def apply_confirmation(
        self,
        actor: Actor,
        case_ref: str,
        rows: list[tuple[str, int, str, str, str]],
        *,
        study_ref: str | None = None,
    ) -> dict[str, Any]:
        """Set CONFIRMED / FAILED_CONFIRMATION from a confirmation VCF's (chrom, pos, ref, alt, FILTER)."""
        outcome = {"confirmed": 0, "failed": 0, "unmatched": [], "ignored": 0}
        with self.ctx.uow() as uow:
            study, case = self.cases.find(uow, actor, case_ref, study_ref)
            require_project_write(actor, study.project)
            self.cases.mark_interpreted(uow, actor, case)
            index = {
                (rv.chrom, rv.pos, rv.ref, rv.alt): rv for rv in uow.report_variants.of_case(case.id or 0)
            }
            for chrom, pos, ref, alt, flt in rows:
                rv = index.get((chrom, pos, ref, alt))
                if rv is None:
                    outcome["unmatched"].append(f"{chrom}:{pos}:{ref}:{alt}")
                    continue
                f = flt.upper()
                if f == "CONFIRMED":
                    self._apply(uow, actor, rv, {"status": VariantStatus.CONFIRMED})
                    outcome["confirmed"] += 1
                elif f in ("FAIL", "FAILED", "FAILED_CONFIRMATION"):
                    self._apply(uow, actor, rv, {"status": VariantStatus.FAILED_CONFIRMATION})
                    outcome["failed"] += 1
                else:
                    outcome["ignored"] += 1
            self.cases.record(
                uow, actor, case, "confirmation", {k: v for k, v in outcome.items() if k != "unmatched"}
            )
            uow.commit()
        return outcome

    # -- snapshots from an analysis run ----------------------------------------------------------------
    def record_run(
        self, uow: UnitOfWork, case_id: int, run: int, found: list[ReportVariant]
    ) -> dict[str, Any]:
        """Store a run's candidates; interpretations of variants found again carry over; variants no longer
        found stay (inactive) with their history. Returns what changed."""
        previous = {(rv.key, rv.alt): rv for rv in uow.report_variants.of_case(case_id)}
        added, kept, changed = [], [], []
        for rv in found:
            old = previous.pop((rv.key, rv.alt), None)
            if old is None:
                uow.report_variants.add(rv)
                added.append(rv)
                continue
            snapshot = {
                k: getattr(rv, k)
                for k in (
                    "gene",
                    "transcript",
                    "hgvs_c",
                    "hgvs_p",
                    "consequence",
                    "genotypes",
                    "gnomad_af",
                    "clinvar",
                    "inheritance_modes",
                    "annotation_source",
                )
            }
            diffs = sorted(k for k, v in snapshot.items() if getattr(old, k) != v)
            for k, v in snapshot.items():
                setattr(old, k, v)
            # computed evidence and ranking follow the run; what a person recorded stays
            computed = {k: rv.acmg[k] for k in COMPUTED_ACMG if k in rv.acmg}
            if (old.acmg or {}).get("automatic") != computed.get("automatic"):
                diffs.append("acmg")
            old.acmg = {**(old.acmg or {}), **computed}
            old.run = run
            (changed if diffs else kept).append({"variant": old.id, "fields": diffs} if diffs else old.id)
        for rv in previous.values():
            rv.active = False
        return {
            "run": run,
            "added": len(added),
            "kept": len(kept),
            "changed": changed,
            "removed": [rv.id for rv in previous.values()],
        }


COMPUTED_ACMG = ("modes", "automatic", "prioritisation")


def select_variants(
    variants: list[ReportVariant],
    *,
    statuses: list[str] | None = None,
    to_report: list[str] | None = None,
    chrom: str | None = None,
    start: int | None = None,
    end: int | None = None,
    alt: str | None = None,
) -> list[ReportVariant]:
    """Report variants matching every given filter: statuses and reporting decisions are alternatives,
    ``chrom`` is compared canonically (``chr7`` = ``7``, ``M`` = ``MT``), ``start``/``end`` bound the
    variant's 1-based inclusive span."""
    from vardesk.domain.variant_key import canonical_chrom

    st = {_enum(VariantStatus, s, "status") for s in statuses or []}
    tr = {_enum(ToReport, t, "to_report") for t in to_report or []}
    want_chrom = canonical_chrom(chrom) if chrom else None
    out = []
    for v in variants:
        last = v.pos + max(len(v.ref), 1) - 1
        if (st and v.status not in st) or (tr and v.to_report not in tr):
            continue
        if want_chrom and v.chrom != want_chrom:
            continue
        if (start is not None and last < start) or (end is not None and v.pos > end):
            continue
        if alt and v.alt.upper() != alt.strip().upper():
            continue
        out.append(v)
    return out


SCORING_STATUSES = ("scored", "scoring", "classified", "unscored")


def scoring_status(rv: ReportVariant, events: list[VariantEvent]) -> str:
    """``classified`` once a person gave a classification; ``scoring`` while criteria or other changes
    were made without one; ``scored`` when only the automatic ACMG assessment exists; ``unscored`` when
    the variant had no annotation to assess (no automatic assessment, untouched)."""
    if rv.classification:
        return "classified"
    if rv.criteria or any(e.field in ("criteria", "classification") for e in events):
        return "scoring"
    return "scored" if (rv.acmg or {}).get("automatic") else "unscored"


# Fabric target inheritance modes → the modes of analysis.inheritance that satisfy them
TARGET_MODES = {
    "DOMINANT": ("AUTOSOMAL_DOMINANT", "DE_NOVO", "X_LINKED_DE_NOVO"),
    "RECESSIVE": ("AUTOSOMAL_RECESSIVE_HOMOZYGOUS", "COMPOUND_HETEROZYGOUS", "X_LINKED_RECESSIVE"),
    "X_LINKED": ("X_LINKED_RECESSIVE", "X_LINKED_DE_NOVO"),
    "DE_NOVO": ("DE_NOVO", "X_LINKED_DE_NOVO"),
}


def match_targets(variants: list[ReportVariant], targets: list[dict[str, Any]]) -> list[ReportVariant]:
    """Variants matching any target; a target's given keys must all match: ``chromosome`` (canonical),
    ``start_on_chrom``/``end_on_chrom`` (1-based inclusive window; ``end`` defaults to ``start``),
    ``ref``/``alt``, ``gene_symbol`` (case-insensitive), ``inheritance_mode`` (a mode name or one of
    DOMINANT, RECESSIVE, X_LINKED, DE_NOVO)."""
    from vardesk.domain.variant_key import canonical_chrom

    def hit(v: ReportVariant, t: dict[str, Any]) -> bool:
        if t.get("chromosome") and canonical_chrom(str(t["chromosome"])) != v.chrom:
            return False
        start, end = t.get("start_on_chrom"), t.get("end_on_chrom")
        end = start if end is None else end
        last = v.pos + max(len(v.ref), 1) - 1
        if (start is not None and last < start) or (end is not None and v.pos > end):
            return False
        for key, value in (("ref", v.ref), ("alt", v.alt), ("gene_symbol", v.gene)):
            if t.get(key) and str(t[key]).strip().upper() != value.upper():
                return False
        mode = str(t.get("inheritance_mode") or "").strip().upper()
        return not mode or bool(set(TARGET_MODES.get(mode, (mode,))) & set(v.inheritance_modes))

    return [v for v in variants if any(hit(v, t) for t in targets)]


EXPORT_COLUMNS = (
    "gene",
    "transcript",
    "hgvs_c",
    "hgvs_p",
    "consequence",
    "inheritance",
    "classification",
    "criteria",
    "to_report",
    "status",
    "gnomad_af",
    "clinvar_significance",
    "report_variant_id",
)


SITE_COLUMNS = ("chrom", "pos", "ref", "alt", "id", "qual")
TABULAR_COLUMNS = (*SITE_COLUMNS, *EXPORT_COLUMNS)  # a CSV export's header, also when there are no rows


def export_rows(variants: list[ReportVariant]) -> tuple[list[dict[str, Any]], list[str]]:
    """Report variants as export rows (annotation columns + per-member genotypes) and the member names."""
    members = list(dict.fromkeys(g["member"] for v in variants for g in v.genotypes))
    rows = []
    for v in variants:
        per = {g["member"]: g for g in v.genotypes}
        rows.append(
            {
                "chrom": v.chrom,
                "pos": v.pos,
                "ref": v.ref,
                "alt": v.alt,
                "id": v.rsid or None,
                "qual": v.qual,
                "gene": v.gene,
                "transcript": v.transcript,
                "hgvs_c": v.hgvs_c,
                "hgvs_p": v.hgvs_p,
                "consequence": v.consequence,
                "inheritance": v.inheritance_modes,
                "classification": v.classification,
                "criteria": v.criteria_labels,
                "to_report": v.to_report.value,
                "status": v.status.value,
                "gnomad_af": v.gnomad_af,
                "clinvar_significance": v.clinvar.get("significance"),
                "report_variant_id": v.id,
                "samples": {
                    m: (
                        {"gt": per[m].get("gt"), "dp": per[m].get("dp"), "gq": per[m].get("gq")}
                        if m in per
                        else None
                    )
                    for m in members
                },
            }
        )
    return rows, members
