"""Pedigrees: PED files, validation, and the family an inheritance analysis runs on.

A PED file has one individual a line, six whitespace-separated columns (more are ignored)::

    family  individual  father  mother  sex  phenotype

``0`` (or ``.``) is an unknown parent; sex is ``1`` male, ``2`` female, ``0`` unknown; phenotype is
``2`` affected, ``1`` unaffected, ``0`` or ``-9`` unknown. Lines starting with ``#`` and blank lines
are skipped. Errors are :class:`Invalid` with ``line`` (1-based) in their details.

A parent not listed in the child's family is looked up in the other families of the file (real
files such as the CEPH pedigree link families that way); a parent listed nowhere becomes an implied
founder unless parsing is strict.
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
    """One individual of a PED file; ``implied`` for a parent named by ``line`` but not listed."""

    family: str
    individual: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: Affected
    line: int
    implied: bool = False


def _fail(message: str, line: int, source: str) -> Invalid:
    return Invalid(f"{source} line {line}: {message}", line=line)


def parse_ped(text: str, *, source: str = "PED", strict: bool = False) -> list[PedEntry]:
    """Parse and validate PED text (every family in it); see :func:`validate_ped`.

    The result lists the file's individuals in order, then the implied founders (parents named but
    not listed, which ``strict`` forbids).
    """
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
    return entries + validate_ped(entries, source=source, strict=strict)


def read_ped(path: Path, *, strict: bool = False) -> list[PedEntry]:
    """:func:`parse_ped` of a file."""
    path = Path(path)
    return parse_ped(path.read_text(), source=path.name, strict=strict)


Key = tuple[str, str]


def validate_ped(entries: Iterable[PedEntry], *, source: str = "PED", strict: bool = True) -> list[PedEntry]:
    """Check unique ids per family, parents of the right sex and that no one is their own ancestor.

    A parent is looked up in the child's family, else by id in the other families (an id listed in
    several of them is ambiguous). A parent listed nowhere is an error when ``strict``; else it is
    returned as an implied founder (sex from the role, unknown status).
    """
    entries = list(entries)
    by_key: dict[Key, PedEntry] = {}
    by_id: dict[str, list[PedEntry]] = {}
    for e in entries:
        first = by_key.get((e.family, e.individual))
        if first is not None:
            raise _fail(
                f"individual {e.individual!r} of family {e.family!r} already defined on line {first.line}",
                e.line,
                source,
            )
        by_key[(e.family, e.individual)] = e
        by_id.setdefault(e.individual, []).append(e)
    implied: dict[str, PedEntry] = {}
    parents: dict[Key, list[Key]] = {}
    for e in entries:
        if e.father is not None and e.father == e.mother:
            raise _fail(f"{e.individual!r} has {e.father!r} as both father and mother", e.line, source)
        keys = parents.setdefault((e.family, e.individual), [])
        for role, parent_id, sex in (("father", e.father, Sex.MALE), ("mother", e.mother, Sex.FEMALE)):
            if parent_id is None:
                continue
            if parent_id == e.individual:
                raise _fail(f"{e.individual!r} is their own {role}", e.line, source)
            parent = by_key.get((e.family, parent_id))
            if parent is None:
                elsewhere = by_id.get(parent_id, [])
                if len(elsewhere) > 1:
                    fams = ", ".join(sorted(x.family for x in elsewhere))
                    raise _fail(
                        f"{role} {parent_id!r} of {e.individual!r} is not in family {e.family!r} and is "
                        f"ambiguous in families {fams}",
                        e.line,
                        source,
                    )
                parent = elsewhere[0] if elsewhere else implied.get(parent_id)
            if parent is None:
                if strict:
                    raise _fail(
                        f"{role} {parent_id!r} of {e.individual!r} is not an individual of the file",
                        e.line,
                        source,
                    )
                parent = PedEntry(e.family, parent_id, None, None, sex, Affected.UNKNOWN, e.line, True)
                implied[parent_id] = parent
            if parent.sex not in (sex, Sex.UNKNOWN):
                raise _fail(
                    f"{role} {parent_id!r} of {e.individual!r} is {parent.sex.value.lower()} "
                    f"(line {parent.line})",
                    e.line,
                    source,
                )
            keys.append((parent.family, parent.individual))
    lines = {k: e.line for k, e in by_key.items()}
    _check_cycles(parents, lines, source)
    return list(implied.values())


def _check_cycles(parents: Mapping[Key, list[Key]], lines: Mapping[Key, int], source: str) -> None:
    """Depth-first over parent links; a link back to an individual on the current path is a cycle."""
    done: set[Key] = set()
    for start in parents:
        path: list[Key] = []
        on_path: set[Key] = set()
        stack: list[tuple[Key, bool]] = [(start, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                on_path.discard(node)
                path.pop()
                done.add(node)
                continue
            if node in done:
                continue
            on_path.add(node)
            path.append(node)
            stack.append((node, True))
            for parent in parents.get(node, []):
                if parent in on_path:
                    cycle = path[path.index(parent) :] + [parent]
                    names = " → ".join(i for _, i in cycle)
                    raise _fail(
                        f"pedigree cycle: {names} (each is a child of the next)", lines[parent], source
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
        elsewhere = {e.individual: e for e in entries if e.family != family}
        for e in chosen:  # grows: parents listed in another family join as members (and their parents)
            for parent in (e.father, e.mother):
                if parent is not None and parent not in names and parent in elsewhere:
                    chosen.append(elsewhere[parent])
                    names.add(parent)
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
