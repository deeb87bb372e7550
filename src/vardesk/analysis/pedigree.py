"""Pedigrees: the family structure an inheritance analysis runs on, and its validation.

A :class:`PedEntry` is one individual of a family (family, individual, parents, sex, affected status),
however it was read; reading and writing PED files is :mod:`vardesk.interchange.ped`'s. Every problem of
a set of entries is reported at once: an :class:`Invalid` whose ``line`` detail is the first problem's
(1-based) line and whose ``errors`` detail lists ``{"line", "message"}``.

A parent not listed in the child's family is looked up in the other families (real files such as the
CEPH pedigree link families that way) unless ``own_family`` asks each family to list its parents; a
parent listed nowhere becomes an implied founder unless validation is strict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid

Problems = list[tuple[int, str]]


@dataclass(frozen=True)
class PedEntry:
    """One individual of a PED file; ``implied`` for a parent named by ``line`` but not listed.

    ``line`` (0 for an individual not read from a file) does not take part in comparisons.
    """

    family: str
    individual: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: Affected
    line: int = field(default=0, compare=False)
    implied: bool = False


def _raise(problems: Problems, source: str) -> None:
    """One :class:`Invalid` for all ``problems`` (ordered by line, found order within a line)."""
    if not problems:
        return
    problems = sorted(problems, key=lambda p: p[0])
    if len(problems) == 1:
        message = f"{source} line {problems[0][0]}: {problems[0][1]}"
    else:
        listed = "; ".join(f"line {n}: {m}" for n, m in problems)
        message = f"{source}: {len(problems)} problems: {listed}"
    raise Invalid(message, line=problems[0][0], errors=[{"line": n, "message": m} for n, m in problems])


Key = tuple[str, str]


def validate_ped(
    entries: Iterable[PedEntry],
    *,
    source: str = "PED",
    strict: bool = True,
    own_family: bool = False,
    found: Iterable[tuple[int, str]] = (),
) -> list[PedEntry]:
    """Check unique ids per family, parents of the right sex and that no one is their own ancestor.

    A parent is looked up in the child's family, else (unless ``own_family``) by id in the other
    families (an id listed in several of them is ambiguous). A parent listed nowhere is an error when
    ``strict``; else it is returned as an implied founder (sex from the role, unknown status).
    ``found``: (line, message) problems already found where the entries were read from, reported in
    the same :class:`Invalid`.
    """
    problems: Problems = list(found)
    implied = _validate(list(entries), problems, strict=strict, own_family=own_family)
    _raise(problems, source)
    return implied


def _validate(
    entries: list[PedEntry], problems: Problems, *, strict: bool, own_family: bool
) -> list[PedEntry]:
    """:func:`validate_ped`, adding what is wrong to ``problems``; returns the implied founders."""
    by_key: dict[Key, PedEntry] = {}
    by_id: dict[str, list[PedEntry]] = {}
    for e in entries:
        first = by_key.get((e.family, e.individual))
        if first is not None:
            problems.append(
                (
                    e.line,
                    f"individual {e.individual!r} of family {e.family!r} already defined on line "
                    f"{first.line}",
                )
            )
            continue
        by_key[(e.family, e.individual)] = e
        by_id.setdefault(e.individual, []).append(e)
    implied: dict[Key, PedEntry] = {}
    parents: dict[Key, list[Key]] = {}
    for e in entries:
        if by_key[(e.family, e.individual)] is not e:
            continue  # a duplicate, reported above
        both = e.father is not None and e.father == e.mother
        if both:
            problems.append((e.line, f"{e.individual!r} has {e.father!r} as both father and mother"))
        keys = parents.setdefault((e.family, e.individual), [])
        for role, parent_id, sex in (("father", e.father, Sex.MALE), ("mother", e.mother, Sex.FEMALE)):
            if parent_id is None:
                continue
            if parent_id == e.individual:
                problems.append((e.line, f"{e.individual!r} is their own {role}"))
                continue
            parent = by_key.get((e.family, parent_id))
            implied_key = (e.family if own_family else "", parent_id)
            if parent is None and not own_family:
                elsewhere = by_id.get(parent_id, [])
                if len(elsewhere) > 1:
                    fams = ", ".join(sorted(x.family for x in elsewhere))
                    problems.append(
                        (
                            e.line,
                            f"{role} {parent_id!r} of {e.individual!r} is not in family {e.family!r} and is "
                            f"ambiguous in families {fams}",
                        )
                    )
                    continue
                parent = elsewhere[0] if elsewhere else None
            if parent is None:
                parent = implied.get(implied_key)
            if parent is None:
                if strict:
                    where = f"listed in family {e.family!r}" if own_family else "an individual of the file"
                    problems.append((e.line, f"{role} {parent_id!r} of {e.individual!r} is not {where}"))
                    continue
                parent = PedEntry(e.family, parent_id, None, None, sex, Affected.UNKNOWN, e.line, True)
                implied[implied_key] = parent
            if not both and parent.sex not in (sex, Sex.UNKNOWN):
                problems.append(
                    (
                        e.line,
                        f"{role} {parent_id!r} of {e.individual!r} is {parent.sex.value.lower()} "
                        f"(line {parent.line})",
                    )
                )
            keys.append((parent.family, parent.individual))
    lines = {k: e.line for k, e in by_key.items()}
    _check_cycles(parents, lines, problems)
    return list(implied.values())


def _check_cycles(parents: Mapping[Key, list[Key]], lines: Mapping[Key, int], problems: Problems) -> None:
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
                    problems.append((lines[parent], f"pedigree cycle: {names} (each is a child of the next)"))
                elif parent not in done:
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
