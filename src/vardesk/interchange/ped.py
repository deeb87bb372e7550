"""PED (linkage pedigree) files for interchange: read a whole file, write the six standard columns,
convert between a case and its family's PED records.

Reading and validation are :mod:`vardesk.analysis.pedigree`'s (every problem reported with its line in
``details["errors"]``). Here parents must be listed in the child's own family by default; real pedigrees
(CEPH's) name parents kept only in another family, so ``strict_parents=False`` keeps such references
(and parents listed nowhere) and reports them in :attr:`PedFile.warnings` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vardesk.analysis import pedigree
from vardesk.analysis.pedigree import PedEntry
from vardesk.interchange.phenopackets import CaseExchange, ExchangeIndividual, ExchangeMeta
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid

_SEX_OUT = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.UNKNOWN: "0"}
_AFFECTED_OUT = {Affected.AFFECTED: "2", Affected.UNAFFECTED: "1", Affected.UNKNOWN: "0"}


@dataclass
class PedFile:
    """The individuals listed in a PED file, in file order (no implied founders), and reading notes."""

    records: list[PedEntry]
    warnings: list[str] = field(default_factory=list)

    @property
    def families(self) -> list[str]:
        return list(dict.fromkeys(r.family for r in self.records))

    def family(self, family: str) -> list[PedEntry]:
        return [r for r in self.records if r.family == family]


def read_ped(path: str | Path, *, strict_parents: bool = True) -> PedFile:
    path = Path(path)
    return parse_ped(path.read_text(encoding="utf-8"), strict_parents=strict_parents, source=path.name)


def parse_ped(text: str, *, strict_parents: bool = True, source: str = "PED") -> PedFile:
    """Parse and validate PED text with :func:`vardesk.analysis.pedigree.parse_ped`.

    ``strict_parents`` requires every parent to be listed in the child's family; without it, parents
    outside the family are accepted and each reference is a warning.
    """
    entries = pedigree.parse_ped(text, source=source, strict=strict_parents, own_family=strict_parents)
    records = [e for e in entries if not e.implied]
    listed = {(r.family, r.individual) for r in records}
    warnings = [
        f"line {r.line}: {r.individual}'s {role} {parent} is not listed in family {r.family}"
        for r in records
        for role, parent in (("father", r.father), ("mother", r.mother))
        if parent is not None and (r.family, parent) not in listed
    ]
    return PedFile(records, warnings)


def write_ped(records: Iterable[PedEntry]) -> str:
    """Six tab-separated columns per individual, in the given order."""
    lines = [
        "\t".join(
            (
                r.family,
                r.individual,
                r.father or "0",
                r.mother or "0",
                _SEX_OUT[r.sex],
                _AFFECTED_OUT[r.affected],
            )
        )
        for r in records
    ]
    return "".join(line + "\n" for line in lines)


def case_to_ped_records(case: CaseExchange, family: str = "") -> list[PedEntry]:
    """The case's individuals as PED records (family id: ``family``, the case's family code, or its id)."""
    fam = family or case.family_code or case.id
    return [PedEntry(fam, i.code, i.father, i.mother, i.sex, i.affected) for i in case.individuals]


def case_to_ped(case: CaseExchange, family: str = "") -> str:
    """PED text for a case, validated as a reader would (raises :class:`Invalid` on a broken pedigree)."""
    text = write_ped(case_to_ped_records(case, family))
    parse_ped(text)
    return text


def ped_to_case(
    records: Sequence[PedEntry], meta: ExchangeMeta, *, proband: str = "", case_id: str = ""
) -> CaseExchange:
    """One family's records as a case (no phenotypes yet); the proband defaults to the first affected."""
    families = {r.family for r in records}
    if len(families) != 1:
        raise Invalid(f"a case is one family; the records hold {len(families)}")
    chosen = proband or next((r.individual for r in records if r.affected == Affected.AFFECTED), "")
    if chosen not in {r.individual for r in records}:
        raise Invalid(f"proband {chosen!r} is not in the family" if chosen else "no affected individual")
    members = [
        ExchangeIndividual(r.individual, r.sex, r.affected, r.father, r.mother)
        for r in sorted(records, key=lambda r: r.individual != chosen)
    ]
    family = families.pop()
    return CaseExchange(case_id or family, chosen, members, meta, family_code=family)


def generations(records: Sequence[PedEntry]) -> dict[str, int]:
    """The number of generations in each family (a founder alone is one), for a validated pedigree."""
    by_key = {(r.family, r.individual): r for r in records}
    depth: dict[tuple[str, str], int] = {}

    def level(key: tuple[str, str]) -> int:
        if key not in depth:
            rec = by_key[key]
            parents = [(rec.family, p) for p in (rec.father, rec.mother) if p and (rec.family, p) in by_key]
            depth[key] = 1 + max((level(p) for p in parents), default=0)
        return depth[key]

    out: dict[str, int] = {}
    for key in by_key:
        out[key[0]] = max(out.get(key[0], 0), level(key))
    return out
