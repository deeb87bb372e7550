"""PED (linkage pedigree) files: read a whole file, write the six standard columns, convert between a
case and its family's PED records.

A PED file has one individual a line, six whitespace-separated columns (more are ignored)::

    family  individual  father  mother  sex  phenotype

``0`` (or ``.``) is an unknown parent; sex is ``1`` male, ``2`` female, ``0`` unknown; phenotype is
``2`` affected, ``1`` unaffected, ``0`` or ``-9`` unknown. Lines starting with ``#`` and blank lines
are skipped. The family structure is checked by :func:`vardesk.analysis.pedigree.validate_ped`, and
every problem of a file is reported at once with its line (``details["errors"]``).

:func:`parse_ped` asks by default that parents be listed in the child's own family; real pedigrees
(CEPH's) name parents kept only in another family, so ``strict_parents=False`` keeps such references
(and parents listed nowhere) and reports them in :attr:`PedFile.warnings` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vardesk.analysis.pedigree import PedEntry, validate_ped
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.interchange.phenopackets import CaseExchange, ExchangeIndividual, ExchangeMeta

_SEX = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN}
_PHENOTYPE = {"2": Affected.AFFECTED, "1": Affected.UNAFFECTED, "0": Affected.UNKNOWN, "-9": Affected.UNKNOWN}
_NO_PARENT = ("0", ".")
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


def parse_ped_entries(
    text: str, *, source: str = "PED", strict: bool = False, own_family: bool = False
) -> list[PedEntry]:
    """Parse and validate PED text (every family in it); see :func:`vardesk.analysis.pedigree.validate_ped`.

    The result lists the file's individuals in order, then the implied founders (parents named but
    not listed, which ``strict`` forbids).
    """
    problems: list[tuple[int, str]] = []
    entries: list[PedEntry] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) < 6:
            problems.append((n, f"expected 6 columns (family, individual, father, mother, sex, "
                                f"phenotype), got {len(cols)}"))  # fmt: skip
            continue
        fam, ind, father, mother, sex, pheno = cols[:6]
        if ind in _NO_PARENT:
            problems.append((n, f"individual id {ind!r} is reserved for 'unknown'"))
            continue
        if sex not in _SEX:
            problems.append((n, f"sex must be 1 (male), 2 (female) or 0 (unknown), got {sex!r}"))
        if pheno not in _PHENOTYPE:
            problems.append(
                (n, f"phenotype must be 2 (affected), 1 (unaffected), 0 or -9 (unknown), got {pheno!r}")
            )
        entries.append(
            PedEntry(
                family=fam,
                individual=ind,
                father=None if father in _NO_PARENT else father,
                mother=None if mother in _NO_PARENT else mother,
                sex=_SEX.get(sex, Sex.UNKNOWN),
                affected=_PHENOTYPE.get(pheno, Affected.UNKNOWN),
                line=n,
            )
        )
    if not entries and not problems:
        raise Invalid(f"{source}: no individuals", line=0, errors=[])
    implied = validate_ped(entries, source=source, strict=strict, own_family=own_family, found=problems)
    return entries + implied


def read_ped_entries(path: str | Path, *, strict: bool = False, own_family: bool = False) -> list[PedEntry]:
    """:func:`parse_ped_entries` of a file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return parse_ped_entries(text, source=path.name, strict=strict, own_family=own_family)


def read_ped(path: str | Path, *, strict_parents: bool = True) -> PedFile:
    path = Path(path)
    return parse_ped(path.read_text(encoding="utf-8"), strict_parents=strict_parents, source=path.name)


def parse_ped(text: str, *, strict_parents: bool = True, source: str = "PED") -> PedFile:
    """Parse and validate PED text with :func:`parse_ped_entries`.

    ``strict_parents`` requires every parent to be listed in the child's family; without it, parents
    outside the family are accepted and each reference is a warning.
    """
    entries = parse_ped_entries(text, source=source, strict=strict_parents, own_family=strict_parents)
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
    """The number of generations in each family (a founder alone is one), for a validated pedigree.

    Iterative (an explicit stack), so a pedigree of any depth, listed in any order, is counted."""
    by_key = {(r.family, r.individual): r for r in records}
    depth: dict[tuple[str, str], int] = {}

    def parents(key: tuple[str, str]) -> list[tuple[str, str]]:
        rec = by_key[key]
        return [(rec.family, p) for p in (rec.father, rec.mother) if p and (rec.family, p) in by_key]

    for start in by_key:
        stack, pending = [start], {start}
        while stack:
            key = stack[-1]
            if key in depth:
                pending.discard(stack.pop())
                continue
            todo = [p for p in parents(key) if p not in depth and p not in pending]
            if todo:
                stack.extend(todo)
                pending.update(todo)
                continue
            depth[key] = 1 + max((depth.get(p, 0) for p in parents(key)), default=0)
            pending.discard(stack.pop())
    out: dict[str, int] = {}
    for key, level in depth.items():
        out[key[0]] = max(out.get(key[0], 0), level)
    return out
