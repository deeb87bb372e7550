"""Pedigrees: PED files, validation, and the family an inheritance analysis runs on.

A PED file has one individual a line, six whitespace-separated columns (more are ignored)::

    family  individual  father  mother  sex  phenotype

``0`` (or ``.``) is an unknown parent; sex is ``1`` male, ``2`` female, ``0`` unknown; phenotype is
``2`` affected, ``1`` unaffected, ``0`` or ``-9`` unknown. Lines starting with ``#`` and blank lines
are skipped. Errors are :class:`Invalid` with ``line`` (1-based) in their details.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid

_SEX = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN}
_PHENOTYPE = {"2": Affected.AFFECTED, "1": Affected.UNAFFECTED, "0": Affected.UNKNOWN, "-9": Affected.UNKNOWN}
_NO_PARENT = ("0", ".")


@dataclass(frozen=True)
class PedEntry:
    """One line of a PED file."""

    family: str
    individual: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: Affected
    line: int


def _fail(message: str, line: int, source: str) -> Invalid:
    return Invalid(f"{source} line {line}: {message}", line=line)


def parse_ped(text: str, *, source: str = "PED") -> list[PedEntry]:
    """Parse and validate PED text (every family in it); see :func:`validate_ped`."""
    entries: list[PedEntry] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) < 6:
            raise _fail(f"expected 6 columns (family, individual, father, mother, sex, phenotype), "
                        f"got {len(cols)}", n, source)  # fmt: skip
        fam, ind, father, mother, sex, pheno = cols[:6]
        if ind in _NO_PARENT:
            raise _fail(f"individual id {ind!r} is reserved for 'unknown'", n, source)
        if sex not in _SEX:
            raise _fail(f"sex must be 1 (male), 2 (female) or 0 (unknown), got {sex!r}", n, source)
        if pheno not in _PHENOTYPE:
            raise _fail(
                f"phenotype must be 2 (affected), 1 (unaffected), 0 or -9 (unknown), got {pheno!r}", n, source
            )
        entries.append(
            PedEntry(
                family=fam,
                individual=ind,
                father=None if father in _NO_PARENT else father,
                mother=None if mother in _NO_PARENT else mother,
                sex=_SEX[sex],
                affected=_PHENOTYPE[pheno],
                line=n,
            )
        )
    if not entries:
        raise Invalid(f"{source}: no individuals", line=0)
    validate_ped(entries, source=source)
    return entries


def read_ped(path: Path) -> list[PedEntry]:
    """:func:`parse_ped` of a file."""
    path = Path(path)
    return parse_ped(path.read_text(), source=path.name)


def validate_ped(entries: Iterable[PedEntry], *, source: str = "PED") -> None:
    """Unique ids per family, known parents of the right sex, no one their own ancestor."""
    by_id: dict[tuple[str, str], PedEntry] = {}
    entries = list(entries)
    for e in entries:
        first = by_id.get((e.family, e.individual))
        if first is not None:
            raise _fail(
                f"individual {e.individual!r} of family {e.family!r} already defined on line {first.line}",
                e.line,
                source,
            )
        by_id[(e.family, e.individual)] = e
    for e in entries:
        if e.father is not None and e.father == e.mother:
            raise _fail(f"{e.individual!r} has {e.father!r} as both father and mother", e.line, source)
        for role, parent_id, wrong in (("father", e.father, Sex.FEMALE), ("mother", e.mother, Sex.MALE)):
            if parent_id is None:
                continue
            if parent_id == e.individual:
                raise _fail(f"{e.individual!r} is their own {role}", e.line, source)
            parent = by_id.get((e.family, parent_id))
            if parent is None:
                raise _fail(
                    f"{role} {parent_id!r} of {e.individual!r} is not an individual of family {e.family!r}",
                    e.line,
                    source,
                )
            if parent.sex == wrong:
                raise _fail(
                    f"{role} {parent_id!r} of {e.individual!r} is {parent.sex.value.lower()} "
                    f"(line {parent.line})",
                    e.line,
                    source,
                )
    _check_cycles(by_id, source)


def _check_cycles(by_id: Mapping[tuple[str, str], PedEntry], source: str) -> None:
    done: set[tuple[str, str]] = set()
    for start in by_id:
        path: list[tuple[str, str]] = []
        on_path: set[tuple[str, str]] = set()
        stack: list[tuple[tuple[str, str], bool]] = [(start, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                on_path.discard(node)
                path.pop()
                done.add(node)
                continue
            if node in done:
                continue
            if node in on_path:  # pragma: no cover - guarded below before pushing
                continue
            on_path.add(node)
            path.append(node)
            stack.append((node, True))
            e = by_id[node]
            for parent_id in (e.father, e.mother):
                if parent_id is None:
                    continue
                parent = (e.family, parent_id)
                if parent in on_path:
                    cycle = path[path.index(parent) :] + [parent]
                    names = " → ".join(i for _, i in cycle)
                    raise _fail(
                        f"pedigree cycle: {names} (each is a child of the next)",
                        by_id[parent].line,
                        source,
                    )
                if parent not in done:
                    stack.append((parent, False))


@dataclass(frozen=True)
class Member:
    """One family member; ``genotypes`` is the member's genotype Parquet file, if sequenced."""

    name: str
    sex: Sex = Sex.UNKNOWN
    affected: Affected = Affected.UNKNOWN
    father: str | None = None
    mother: str | None = None
    genotypes: Path | None = None

    @property
    def sequenced(self) -> bool:
        return self.genotypes is not None


@dataclass(frozen=True)
class Pedigree:
    """A family and its proband (who must be sequenced). Validated on construction."""

    members: tuple[Member, ...]
    proband: str
    _index: dict[str, Member] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Member] = {}
        for line, m in enumerate(self.members, start=1):
            if m.name in index:
                raise Invalid(f"member {m.name!r} appears twice", line=line)
            index[m.name] = m
        object.__setattr__(self, "_index", index)
        entries = [
            PedEntry("family", m.name, m.father, m.mother, m.sex, m.affected, line)
            for line, m in enumerate(self.members, start=1)
        ]
        validate_ped(entries, source="pedigree member")
        proband = index.get(self.proband)
        if proband is None:
            raise Invalid(f"proband {self.proband!r} is not a member of the family")
        if not proband.sequenced:
            raise Invalid(f"proband {self.proband!r} has no genotypes")

    @classmethod
    def from_ped(
        cls,
        entries: Iterable[PedEntry],
        *,
        genotypes: Mapping[str, Path],
        proband: str | None = None,
        family: str | None = None,
    ) -> Pedigree:
        """The family of ``family`` (needed when the PED holds several) with members' genotype files.

        ``proband`` defaults to the only affected individual who has genotypes.
        """
        entries = list(entries)
        families = sorted({e.family for e in entries})
        if family is None:
            if len(families) != 1:
                raise Invalid(f"the PED holds {len(families)} families; name one of {', '.join(families)}")
            family = families[0]
        chosen = [e for e in entries if e.family == family]
        if not chosen:
            raise Invalid(f"no family {family!r} in the PED")
        names = {e.individual for e in chosen}
        stray = sorted(set(genotypes) - names)
        if stray:
            raise Invalid(f"genotypes given for individual(s) not in family {family!r}: {', '.join(stray)}")
        members = tuple(
            Member(e.individual, e.sex, e.affected, e.father, e.mother, genotypes.get(e.individual))
            for e in chosen
        )
        if proband is None:
            affected = [m.name for m in members if m.affected is Affected.AFFECTED and m.sequenced]
            if len(affected) != 1:
                raise Invalid(
                    f"name the proband: family {family!r} has {len(affected)} affected sequenced members"
                )
            proband = affected[0]
        return cls(members, proband)

    @classmethod
    def solo(cls, name: str, genotypes: Path, sex: Sex = Sex.UNKNOWN) -> Pedigree:
        """A proband sequenced alone (assumed affected)."""
        return cls((Member(name, sex, Affected.AFFECTED, genotypes=genotypes),), name)

    def member(self, name: str) -> Member:
        try:
            return self._index[name]
        except KeyError:
            raise Invalid(f"no member {name!r} in the family") from None

    @property
    def index(self) -> Member:
        """The proband."""
        return self._index[self.proband]

    @property
    def father(self) -> Member | None:
        f = self.index.father
        return None if f is None else self._index[f]

    @property
    def mother(self) -> Member | None:
        m = self.index.mother
        return None if m is None else self._index[m]

    @property
    def sequenced(self) -> dict[str, Path]:
        """Name → genotype file of every sequenced member, the proband first."""
        return {m.name: m.genotypes for m in (self.index, *self.relatives()) if m.genotypes is not None}

    def relatives(self) -> list[Member]:
        """Sequenced members other than the proband, in pedigree order."""
        return [m for m in self.members if m.sequenced and m.name != self.proband]

    def with_genotypes(self, genotypes: Mapping[str, Path]) -> Pedigree:
        """A copy with genotype files set (or replaced) for the named members."""
        unknown = sorted(set(genotypes) - set(self._index))
        if unknown:
            raise Invalid(f"no member(s) {', '.join(unknown)} in the family")
        members = tuple(
            replace(m, genotypes=genotypes[m.name]) if m.name in genotypes else m for m in self.members
        )
        return Pedigree(members, self.proband)
