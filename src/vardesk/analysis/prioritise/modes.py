"""Modes of inheritance of a disease (its HPO inheritance terms) and the burden models each allows.

HPO disease annotations carry terms of the "Mode of inheritance" branch (HP:0000005) beside the
phenotype terms: HP:0000006 autosomal dominant, HP:0000007 autosomal recessive, HP:0001417 X-linked
(HP:0001419 recessive, HP:0001423 dominant), … A gene's burden is found under several models
(:class:`~vardesk.analysis.prioritise.model.Model`); a disease explains the variants only under a
model its mode allows — one heterozygous hit does not explain an autosomal recessive disease, two
hits in trans do not make a dominant disease likelier than the better one alone. A disease without a
mode the burden models cover (none given, mitochondrial, Y-linked, digenic, …) allows every model and
is flagged as unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from vardesk.analysis.prioritise.model import Model


class Mode(StrEnum):
    AD = "AD"  # autosomal dominant (and pseudoautosomal dominant)
    AR = "AR"  # autosomal recessive (and pseudoautosomal recessive)
    XLR = "XLR"  # X-linked recessive
    XLD = "XLD"  # X-linked dominant
    XL = "XL"  # X-linked, recessive or dominant not stated
    SPORADIC = "SPORADIC"  # sporadic, typically de novo, somatic mosaicism


# HPO inheritance term (integer id) → mode
MODE_TERMS: dict[int, Mode] = {
    6: Mode.AD,
    34340: Mode.AD,  # pseudoautosomal dominant
    7: Mode.AR,
    34341: Mode.AR,  # pseudoautosomal recessive
    1417: Mode.XL,
    1419: Mode.XLR,
    1423: Mode.XLD,
    3745: Mode.SPORADIC,
    25352: Mode.SPORADIC,  # typically de novo
    1442: Mode.SPORADIC,  # typified by somatic mosaicism
}

_HET = frozenset({Model.DE_NOVO, Model.DOMINANT})
_BIALLELIC = frozenset({Model.RECESSIVE_HOMOZYGOUS, Model.COMPOUND_HETEROZYGOUS})
# a female's two hits in trans on X are scored as compound heterozygous
_X_RECESSIVE = frozenset({Model.X_LINKED_RECESSIVE, Model.COMPOUND_HETEROZYGOUS})
ALLOWED: dict[Mode, frozenset[Model]] = {
    Mode.AD: _HET,
    Mode.AR: _BIALLELIC,
    Mode.XLR: _X_RECESSIVE,
    Mode.XLD: _X_RECESSIVE | _HET,
    Mode.XL: _X_RECESSIVE | _HET,
    Mode.SPORADIC: _HET,
}


def modes_of(terms: Iterable[int]) -> frozenset[Mode]:
    """The modes among a disease's (integer) HPO terms."""
    return frozenset(MODE_TERMS[t] for t in terms if t in MODE_TERMS)


def allowed_models(modes: Iterable[Mode]) -> frozenset[Model] | None:
    """The burden models any of ``modes`` allows; None when no mode is known (every model fits)."""
    allowed: frozenset[Model] = frozenset()
    for mode in modes:
        allowed |= ALLOWED[mode]
    return allowed or None
