"""Where a genome's annotation came from, as every output shows it: a reference bundle (id, version, and
whether it is synthetic), the lab pipeline's own annotation in the VCF (CSQ, ANN, BCSQ), or nothing (with
the reason). Pure: reads the fields the annotation service recorded on the genome. A pipeline source also
names the VCF fields its population frequencies and scores were read from (``fields``: annotation column →
``CSQ/gnomADe_AF, CSQ/gnomADg_AF``)."""

from __future__ import annotations

from typing import Any

from vardesk.domain.models import Genome

BUNDLE = "bundle"
PIPELINE = "pipeline"
NONE = "none"
PIPELINE_PREFIX = "vcf:"
SYNTHETIC_BANNER = "SYNTHETIC REFERENCE DATA — NOT HUMAN — NOT FOR CLINICAL USE"
SYNTHETIC_MARK = "synthetic-not-human"  # in the version (hence the id) of every generated bundle


def describe(genome: Genome) -> dict[str, Any]:
    """``{"source", "bundle", "version", "tag", "synthetic", "reason", "label"}`` (and ``fields``) of a
    genome. Genomes annotated before the source was recorded are described from their bundle id alone."""
    info = dict(genome.annotation_info or {})
    bundle_id, version = genome.annotation_bundle, genome.annotation_version
    if bundle_id.startswith(PIPELINE_PREFIX):
        source = PIPELINE
    elif bundle_id:
        source = BUNDLE
    else:
        source = NONE
    # genomes annotated before the flag was recorded: a synthetic bundle's id carries its mark
    legacy_mark = genome.annotation_info is None and SYNTHETIC_MARK in bundle_id.lower()
    synthetic = (bool(info.get("synthetic")) or legacy_mark) and source == BUNDLE
    reason = str(info.get("reason") or "")
    if source == NONE and not reason:
        reason = "the genome has not been annotated"
    out: dict[str, Any] = {
        "source": source,
        "bundle": bundle_id if source == BUNDLE else "",
        "version": version if source == BUNDLE else "",
        "tag": version if source == PIPELINE else "",
        "synthetic": synthetic,
        "reason": reason,
    }
    if info.get("check"):
        out["check"] = info["check"]
    if source == PIPELINE and info.get("fields"):
        out["fields"] = dict(info["fields"])
    out["label"] = label(out)
    return out


def label(d: dict[str, Any]) -> str:
    """One line: ``bundle GRCh37-x (version x)``, ``pipeline: BCSQ``, ``not annotated: <reason>``."""
    if d["source"] == BUNDLE:
        text = f"bundle {d['bundle']} (version {d['version']})"
        return f"{text} — {SYNTHETIC_BANNER}" if d["synthetic"] else text
    if d["source"] == PIPELINE:
        return f"pipeline: {d['tag']}"
    return f"not annotated: {d['reason']}"


def annotated(genome: Genome) -> bool:
    return describe(genome)["source"] != NONE
