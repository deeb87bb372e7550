"""PED (linkage pedigree) files: read with validation, write the six standard columns.

Columns: family id, individual id, father id, mother id, sex (1 male, 2 female, 0 unknown), phenotype
(2 affected, 1 unaffected, 0 or -9 unknown); tab or space separated. Lines starting with ``#`` and blank
lines are skipped; columns after the sixth (genotypes) are ignored.

Reading checks, with line numbers in every message (``details["errors"]`` lists ``{"line", "message"}``):
unknown sex or phenotype codes, an individual listed twice in a family, a father who is female or a mother
who is male, an individual who is their own parent or ancestor (cycles), and parents who are not listed in
the family. Real pedigrees (CEPH's) name parents kept only in another family, so ``strict_parents=False``
keeps such references and reports them in :attr:`PedFile.warnings` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vardesk.cases.phenopackets_io import CaseExchange, ExchangeIndividual, ExchangeMeta
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid

_SEX_IN = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN}
_SEX_OUT = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.UNKNOWN: "0"}
_AFFECTED_IN = {
    "2": Affected.AFFECTED,
    "1": Affected.UNAFFECTED,
    "0": Affected.UNKNOWN,
    "-9": Affected.UNKNOWN,
}
_AFFECTED_OUT = {Affected.AFFECTED: "2", Affected.UNAFFECTED: "1", Affected.UNKNOWN: "0"}
_MISSING = {"0", ""}


@dataclass(frozen=True)
class PedRecord:
    family: str
    individual: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: Affected
    line: int = field(default=0, compare=False)


@dataclass
class PedFile:
    records: list[PedRecord]
    warnings: list[str] = field(default_factory=list)

    @property
    def families(self) -> list[str]:
        return list(dict.fromkeys(r.family for r in self.records))

    def family(self, family: str) -> list[PedRecord]:
        return [r for r in self.records if r.family == family]


def read_ped(path: str | Path, *, strict_parents: bool = True) -> PedFile:
    return parse_ped(Path(path).read_text(encoding="utf-8"), strict_parents=strict_parents)


def parse_ped(text: str, *, strict_parents: bool = True) -> PedFile:
    """Parse and validate PED text; raises :class:`Invalid` listing every problem with its line."""
    errors: list[tuple[int, str]] = []
    records: list[PedRecord] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) < 6:
            errors.append((number, f"{len(cols)} columns, a PED line needs 6"))
            continue
        fam, ind, father, mother, sex, pheno = cols[:6]
        if sex not in _SEX_IN:
            errors.append((number, f"{ind}: sex {sex!r} is not 1, 2 or 0"))
        if pheno not in _AFFECTED_IN:
            errors.append((number, f"{ind}: phenotype {pheno!r} is not 2, 1, 0 or -9"))
        records.append(
            PedRecord(
                fam,
                ind,
                None if father in _MISSING else father,
                None if mother in _MISSING else mother,
                _SEX_IN.get(sex, Sex.UNKNOWN),
                _AFFECTED_IN.get(pheno, Affected.UNKNOWN),
                number,
            )
        )
    warnings = _check(records, errors, strict_parents)
    if errors:
        errors.sort()
        message = "; ".join(f"line {n}: {m}" for n, m in errors)
        raise Invalid(
            f"PED: {len(errors)} problem(s): {message}",
            errors=[{"line": n, "message": m} for n, m in errors],
            line=errors[0][0],
        )
    return PedFile(records, warnings)


def _check(records: list[PedRecord], errors: list[tuple[int, str]], strict_parents: bool) -> list[str]:
    warnings: list[str] = []
    by_key: dict[tuple[str, str], PedRecord] = {}
    for rec in records:
        first = by_key.get((rec.family, rec.individual))
        if first is not None:
            errors.append(
                (rec.line, f"{rec.individual} is listed twice in family {rec.family} (line {first.line})")
            )
        else:
            by_key[(rec.family, rec.individual)] = rec
    for rec in records:
        if by_key[(rec.family, rec.individual)] is not rec:
            continue
        for role, parent, wrong in (("father", rec.father, Sex.FEMALE), ("mother", rec.mother, Sex.MALE)):
            if parent is None:
                continue
            if parent == rec.individual:
                errors.append((rec.line, f"{rec.individual} is their own {role}"))
                continue
            found = by_key.get((rec.family, parent))
            if found is None:
                message = f"{rec.individual}'s {role} {parent} is not listed in family {rec.family}"
                if strict_parents:
                    errors.append((rec.line, message))
                else:
                    warnings.append(f"line {rec.line}: {message}")
            elif found.sex == wrong:
                errors.append(
                    (
                        rec.line,
                        f"{rec.individual}'s {role} {parent} is {wrong.value.lower()} (line {found.line})",
                    )
                )
        if rec.father is not None and rec.father == rec.mother:
            errors.append((rec.line, f"{rec.individual} has {rec.father} as both father and mother"))
    errors.extend(_cycles(by_key))
    return warnings


def _cycles(by_key: dict[tuple[str, str], PedRecord]) -> list[tuple[int, str]]:
    """Individuals who are their own ancestor (two or more generations; self-parents are reported apart)."""
    out: list[tuple[int, str]] = []
    state: dict[tuple[str, str], int] = {}  # 1 visiting, 2 done

    def visit(key: tuple[str, str], path: list[tuple[str, str]]) -> None:
        state[key] = 1
        rec = by_key[key]
        for parent in (rec.father, rec.mother):
            pkey = (rec.family, parent or "")
            if parent is None or parent == rec.individual or pkey not in by_key:
                continue
            if state.get(pkey) == 1:
                loop = path[path.index(pkey) :] + [pkey] if pkey in path else [key, pkey]
                names = " → ".join(k[1] for k in loop)
                out.append((by_key[pkey].line, f"family {rec.family}: {names} is an ancestry cycle"))
            elif pkey not in state:
                visit(pkey, path + [pkey])
        state[key] = 2

    for key in by_key:
        if key not in state:
            visit(key, [key])
    return out


def write_ped(records: Iterable[PedRecord]) -> str:
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


def case_to_ped_records(case: CaseExchange, family: str = "") -> list[PedRecord]:
    """The case's individuals as PED records (family id: ``family``, the case's family code, or its id)."""
    fam = family or case.family_code or case.id
    return [PedRecord(fam, i.code, i.father, i.mother, i.sex, i.affected) for i in case.individuals]


def case_to_ped(case: CaseExchange, family: str = "") -> str:
    """PED text for a case, validated as a reader would (raises :class:`Invalid` on a broken pedigree)."""
    text = write_ped(case_to_ped_records(case, family))
    parse_ped(text)
    return text


def ped_to_case(
    records: Sequence[PedRecord], meta: ExchangeMeta, *, proband: str = "", case_id: str = ""
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


def generations(records: Sequence[PedRecord]) -> dict[str, int]:
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
