"""Protein changes and ClinVar look-ups at the same residue (PS1 / PM5).

:func:`parse_protein_change` reads the forms Vardesk meets: HGVS ``p.(Arg97Cys)`` / ``p.Arg97Cys``,
one-letter ``R97C`` and bcftools BCSQ ``97R>97C``. :func:`clinvar_residue_facts` scans rows of a
ClinVar annotation table (mappings with the annotation column names) for missense variants at the
residue of the variant under assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vardesk.analysis.acmg.inputs import ClinVarResidueFacts, ClinVarVariantRef

AA1 = {
    "Ala": "A",
    "Arg": "R",
    "Asn": "N",
    "Asp": "D",
    "Cys": "C",
    "Gln": "Q",
    "Glu": "E",
    "Gly": "G",
    "His": "H",
    "Ile": "I",
    "Leu": "L",
    "Lys": "K",
    "Met": "M",
    "Phe": "F",
    "Pro": "P",
    "Ser": "S",
    "Thr": "T",
    "Trp": "W",
    "Tyr": "Y",
    "Val": "V",
    "Ter": "*",
    "Sec": "U",
    "Xaa": "X",
}
_AA3 = "|".join(AA1)
_HGVS3 = re.compile(rf"^p\.\(?({_AA3})(\d+)({_AA3}|=)\)?$")
_ONE = re.compile(r"^(?:p\.\(?)?([A-Z*])(\d+)([A-Z*=])\)?$")
_BCSQ = re.compile(r"^(\d+)([A-Z*])>(\d+)([A-Z*])$")
_FS_TER = re.compile(rf"^p\.\(?(?:{_AA3}|[A-Z*])(\d+)(?:{_AA3}|[A-Z*])?fs(?:Ter|\*)(\d+|\?)\)?$")


@dataclass(frozen=True)
class ProteinChange:
    ref: str  # one-letter, "*" for a stop
    position: int
    alt: str  # one-letter; "=" for synonymous

    @property
    def is_missense(self) -> bool:
        return self.alt not in ("=", "*", self.ref) and self.ref != "*"

    @property
    def is_nonsense(self) -> bool:
        return self.alt == "*" and self.ref != "*"

    @property
    def short(self) -> str:
        return f"{self.ref}{self.position}{self.alt}"


def parse_protein_change(text: str | None) -> ProteinChange | None:
    """A single-residue change, or None for anything else (frameshifts, indels, ``p.?``)."""
    if not text:
        return None
    s = text.strip()
    m = _HGVS3.match(s)
    if m:
        alt = "=" if m.group(3) == "=" else AA1[m.group(3)]
        return ProteinChange(AA1[m.group(1)], int(m.group(2)), alt)
    m = _ONE.match(s)
    if m:
        return ProteinChange(m.group(1), int(m.group(2)), m.group(3))
    m = _BCSQ.match(s)
    if m and m.group(1) == m.group(3):
        ref, alt = m.group(2), m.group(4)
        return ProteinChange(ref, int(m.group(1)), "=" if ref == alt else alt)
    return None


def frameshift_stop(hgvs_p: str | None) -> tuple[int, int | None] | None:
    """(first changed residue, residue number of the new stop or None for ``fsTer?``) of a frameshift.

    HGVS counts the new stop from the first changed residue (``p.Arg97ProfsTer23``: the stop is the
    23rd residue, counting Pro97 as 1, so it sits at residue 119).
    """
    if not hgvs_p:
        return None
    m = _FS_TER.match(hgvs_p.strip())
    if not m:
        return None
    first = int(m.group(1))
    if m.group(2) == "?":
        return first, None
    return first, first + int(m.group(2)) - 1


_PLP = {"pathogenic", "likely pathogenic", "pathogenic/likely pathogenic"}


def normalise_significance(sig: str | None) -> str:
    """ClinVar significance in lower case with spaces (``Likely_pathogenic`` → ``likely pathogenic``)."""
    return (sig or "").replace("_", " ").strip().lower()


def is_pathogenic_or_likely(sig: str | None) -> bool:
    return normalise_significance(sig) in _PLP


def _first(row: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        v = row.get(k)
        if v is not None and v != "":
            return v
    return None


def clinvar_residue_facts(
    rows: Iterable[Mapping[str, Any]],
    *,
    gene_symbol: str,
    change: ProteinChange,
    variant: tuple[str, int, str, str] | None = None,
    transcript_id: str | None = None,
    version: str | None = None,
) -> ClinVarResidueFacts:
    """ClinVar missense variants at ``change``'s residue in ``gene_symbol``, split by amino-acid change.

    Rows carry ``gene_symbol``, a protein change (``protein_change`` or ``hgvs_p``),
    ``clinvar_significance``, ``clinvar_stars``, ``clinvar_id`` and ``chrom``/``pos``/``ref``/``alt``.
    When both the row and ``transcript_id`` name a transcript they must agree (version ignored).
    ``variant`` (chrom, pos, ref, alt) is excluded: the variant is not its own precedent. Every
    significance is kept; the assigners decide which ones qualify.
    """
    want_tx = transcript_id.split(".")[0] if transcript_id else None
    same: list[ClinVarVariantRef] = []
    different: list[ClinVarVariantRef] = []
    for row in rows:
        if _first(row, "gene_symbol", "gene") != gene_symbol:
            continue
        row_tx = _first(row, "transcript_id")
        if want_tx and row_tx and str(row_tx).split(".")[0] != want_tx:
            continue
        if variant is not None:
            key = (str(row.get("chrom")), row.get("pos"), row.get("ref"), row.get("alt"))
            if key == (str(variant[0]), variant[1], variant[2], variant[3]):
                continue
        pc = parse_protein_change(_first(row, "protein_change", "hgvs_p"))
        if pc is None or not pc.is_missense or pc.position != change.position or pc.ref != change.ref:
            continue
        stars = row.get("clinvar_stars")
        ref = ClinVarVariantRef(
            variant_id=str(_first(row, "clinvar_id", "id") or ""),
            protein_change=pc.short,
            significance=str(row.get("clinvar_significance") or ""),
            stars=int(stars) if stars is not None else None,
        )
        (same if pc.alt == change.alt else different).append(ref)
    order = lambda r: (r.protein_change, r.variant_id)  # noqa: E731
    return ClinVarResidueFacts(tuple(sorted(same, key=order)), tuple(sorted(different, key=order)), version)
