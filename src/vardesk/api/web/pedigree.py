"""A case's pedigree as the boxes, lines and labels of an SVG drawing (standard symbols: a square for a male,
a circle for a female, a diamond for unknown sex; filled when affected; the proband marked by an arrow).

Layout only: who is related to whom comes from the case's members as the core stored them. Parents sit on
the top row joined by a mating line, the proband and siblings below on a sibship line; grandparents, when
the case has them, above their child. Every symbol carries its relation and status as text for screen
readers (``<title>``), never a name or a sample id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vardesk.domain.cases import CaseMember
from vardesk.domain.enums import Affected, Sex

SIZE = 36  # a symbol's width
GAP = 64  # between symbols of one row
ROW = 96  # between generations
MARGIN = 28

_UPPER = ("grandfather", "grandmother")
_PARENT = ("father", "mother")


@dataclass(frozen=True)
class Symbol:
    x: float
    y: float
    shape: str  # square / circle / diamond
    affected: str  # AFFECTED / UNAFFECTED / UNKNOWN
    label: str
    description: str
    proband: bool = False

    @property
    def cx(self) -> float:
        return self.x + SIZE / 2

    @property
    def cy(self) -> float:
        return self.y + SIZE / 2

    @property
    def diamond(self) -> str:
        return f"{self.cx},{self.y} {self.x + SIZE},{self.cy} {self.cx},{self.y + SIZE} {self.x},{self.cy}"


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    symbols: list[Symbol] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)


def _generation(relation: str) -> int:
    r = relation.lower()
    if any(r.startswith(u) or u in r for u in _UPPER):
        return 0
    if r in _PARENT or r in ("parent",):
        return 1
    return 2


def _shape(sex: Sex) -> str:
    return {Sex.MALE: "square", Sex.FEMALE: "circle"}.get(sex, "diamond")


def _describe(m: CaseMember) -> str:
    sex = {Sex.MALE: "male", Sex.FEMALE: "female"}.get(m.sex, "sex unknown")
    status = {Affected.AFFECTED: "affected", Affected.UNAFFECTED: "unaffected"}.get(
        m.affected, "status unknown"
    )
    return f"{m.relation.lower()}, {sex}, {status}"


def draw(members: Sequence[CaseMember]) -> Drawing:
    """The drawing of ``members`` (any number; relations the layout does not know go on the proband's row)."""
    rows: dict[int, list[CaseMember]] = {0: [], 1: [], 2: []}
    for m in sorted(members, key=lambda m: m.position):
        rows[_generation(m.relation)].append(m)
    for gen in rows:  # fathers left of mothers, the proband first among the children
        rows[gen].sort(key=lambda m: (m.relation.lower() != "proband", m.sex != Sex.MALE, m.position))
    used = [g for g in (0, 1, 2) if rows[g]]
    widest = max((len(rows[g]) for g in used), default=1)
    width = 2 * MARGIN + widest * SIZE + (widest - 1) * GAP
    symbols: dict[int, list[Symbol]] = {}
    for level, gen in enumerate(used):
        row = rows[gen]
        span = len(row) * SIZE + (len(row) - 1) * GAP
        left = (width - span) / 2
        y = MARGIN + level * ROW
        symbols[gen] = [
            Symbol(
                x=left + i * (SIZE + GAP),
                y=y,
                shape=_shape(m.sex),
                affected=m.affected.value,
                label=m.relation.capitalize(),
                description=_describe(m),
                proband=m.relation.lower() == "proband",
            )
            for i, m in enumerate(row)
        ]
    lines: list[tuple[float, float, float, float]] = []
    for upper, lower in ((0, 1), (1, 2)):
        parents, children = symbols.get(upper, []), symbols.get(lower, [])
        if not parents or not children:
            continue
        a, b = parents[0], parents[-1]
        if len(parents) > 1:  # the mating line
            lines.append((a.x + SIZE, a.cy, b.x, b.cy))
        mid = (a.cx + b.cx) / 2
        drop_y = a.y + SIZE + (ROW - SIZE) / 2
        lines.append((mid, a.cy if len(parents) > 1 else a.y + SIZE, mid, drop_y))
        xs = [c.cx for c in children]
        lines.append((min(xs + [mid]), drop_y, max(xs + [mid]), drop_y))  # the sibship line
        lines.extend((c.cx, drop_y, c.cx, c.y) for c in children)
    height = 2 * MARGIN + (len(used) - 1) * ROW + SIZE + 18
    flat = [s for gen in used for s in symbols[gen]]
    return Drawing(width=width, height=height, symbols=flat, lines=lines)
