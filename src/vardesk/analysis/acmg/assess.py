"""``assess``: run every assigner, apply manual evidence, classify with every classifier.

Deterministic: the same input and configuration give the same :class:`Assessment`, whose
``to_dict()`` is JSON-serialisable (no timestamps are taken here; manual entries carry their own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from vardesk.analysis.acmg.classifiers import DEFAULT_CLASSIFIERS, Classifier, ClassifierResult
from vardesk.analysis.acmg.clinvar_criteria import assign_bp1, assign_pm5, assign_pp2, assign_ps1
from vardesk.analysis.acmg.computational import assign_bp4, assign_bp7, assign_pp3
from vardesk.analysis.acmg.config import DEFAULT_CONFIG, AcmgConfig
from vardesk.analysis.acmg.family import assign_bp2, assign_pm3, assign_pm6, assign_pp1, assign_ps2
from vardesk.analysis.acmg.inputs import ManualEvidence, VariantEvidenceInput
from vardesk.analysis.acmg.model import (
    CRITERION_ORDER,
    Evidence,
    Source,
    Status,
    Strength,
    criterion,
    not_evaluable,
)
from vardesk.analysis.acmg.null_variant import assign_pvs1
from vardesk.analysis.acmg.phenotype import assign_pp4
from vardesk.analysis.acmg.population import assign_ba1, assign_bs1, assign_bs2, assign_pm2
from vardesk.analysis.acmg.protein_length import assign_pm4
from vardesk.analysis.acmg.regions import assign_bp3, assign_bp6, assign_pm1, assign_pp5

Assigner = Callable[[VariantEvidenceInput, AcmgConfig, Mapping[str, Evidence]], Evidence]

# Run order matters where one criterion excludes another (PM4 and PP3 after PVS1, PM5 after PS1, PM1 and
# BP4 after PP3).
ASSIGNERS: tuple[tuple[str, Assigner], ...] = (
    ("PVS1", assign_pvs1),
    ("PS1", assign_ps1),
    ("PM5", assign_pm5),
    ("PS2", assign_ps2),
    ("PM6", assign_pm6),
    ("PM2", assign_pm2),
    ("PM3", assign_pm3),
    ("PM4", assign_pm4),
    ("PP1", assign_pp1),
    ("PP2", assign_pp2),
    ("PP3", assign_pp3),
    ("PM1", assign_pm1),  # after PP3: the two together are capped
    ("PP4", assign_pp4),
    ("PP5", assign_pp5),
    ("BA1", assign_ba1),
    ("BS1", assign_bs1),
    ("BS2", assign_bs2),
    ("BP1", assign_bp1),
    ("BP2", assign_bp2),
    ("BP3", assign_bp3),
    ("BP4", assign_bp4),  # after PP3: never both
    ("BP6", assign_bp6),
    ("BP7", assign_bp7),
)


def manual_evidence(m: ManualEvidence, automatic: Evidence | None) -> Evidence:
    info = criterion(m.criterion)
    strength = Strength(m.strength) if m.strength else info.default_strength
    return Evidence(
        criterion=info.code,
        status=Status.MET if m.met else Status.NOT_MET,
        strength=strength,
        direction=info.direction,
        rule=info.rule,
        explanation=f"set by {m.by or 'a user'}: {m.reason}",
        source=Source.MANUAL,
        reason=m.reason,
        by=m.by,
        at=m.at,
        automatic=automatic,
    )


def run_assigners(inp: VariantEvidenceInput, cfg: AcmgConfig = DEFAULT_CONFIG) -> dict[str, Evidence]:
    """Every criterion in Richards order: automatic where implemented, manual entries over them."""
    manual = {criterion(m.criterion).code: m for m in inp.manual}
    done: dict[str, Evidence] = {}
    for code, fn in ASSIGNERS:
        auto = fn(inp, cfg, done)
        done[code] = manual_evidence(manual[code], auto) if code in manual else auto
    out: dict[str, Evidence] = {}
    for code in CRITERION_ORDER:
        if code in done:
            out[code] = done[code]
        elif code in manual:
            out[code] = manual_evidence(manual[code], None)
        else:
            out[code] = not_evaluable(code, "needs curated evidence: set manually with a reason")
    return out


@dataclass(frozen=True)
class Assessment:
    variant_id: str
    gene: str | None
    transcript_id: str | None
    evidence: tuple[Evidence, ...]
    classifications: tuple[ClassifierResult, ...]
    provenance: Mapping[str, str]
    config: Mapping[str, Any]

    def result(self, system: str) -> ClassifierResult:
        return next(r for r in self.classifications if r.system == system)

    def evidence_for(self, code: str) -> Evidence:
        return next(e for e in self.evidence if e.criterion == code.upper())

    @property
    def met(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.met)

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant_id": self.variant_id,
            "gene": self.gene,
            "transcript_id": self.transcript_id,
            "evidence": [e.to_dict() for e in self.evidence],
            "classifications": [r.to_dict() for r in self.classifications],
            "provenance": dict(self.provenance),
            "config": _jsonable(self.config),
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in sorted(v.items())}
    if isinstance(v, list | tuple | set | frozenset):
        items = [_jsonable(x) for x in v]
        return sorted(items, key=repr) if isinstance(v, set | frozenset) else items
    return v


def assess(
    inp: VariantEvidenceInput,
    config: AcmgConfig = DEFAULT_CONFIG,
    classifiers: tuple[Classifier, ...] = DEFAULT_CLASSIFIERS,
) -> Assessment:
    evidence = run_assigners(inp, config)
    ordered = tuple(evidence[c] for c in CRITERION_ORDER)
    tc = inp.primary()
    return Assessment(
        variant_id=inp.variant.id,
        gene=inp.gene.symbol if inp.gene else None,
        transcript_id=tc.transcript_id if tc else None,
        evidence=ordered,
        classifications=tuple(c.classify(ordered) for c in classifiers),
        provenance=inp.provenance.to_dict(),
        config=config.to_dict(),
    )


def with_manual(inp: VariantEvidenceInput, *entries: ManualEvidence) -> VariantEvidenceInput:
    """The input with more manual entries (a later entry for a criterion replaces an earlier one)."""
    keep = {criterion(e.criterion).code for e in entries}
    prior = tuple(m for m in inp.manual if criterion(m.criterion).code not in keep)
    return replace(inp, manual=(*prior, *entries))
