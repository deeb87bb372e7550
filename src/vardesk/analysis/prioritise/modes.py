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

from vardesk.analysis.prioritise.model import Model
from vardesk.domain.enums import Inheritance

# HPO inheritance term (integer id) → mode (no mitochondrial term: it allows every model)
MODE_TERMS: dict[int, Inheritance] = {
    6: Inheritance.AUTOSOMAL_DOMINANT,
    34340: Inheritance.AUTOSOMAL_DOMINANT,  # pseudoautosomal dominant
    7: Inheritance.AUTOSOMAL_RECESSIVE,
    34341: Inheritance.AUTOSOMAL_RECESSIVE,  # pseudoautosomal recessive
    1417: Inheritance.X_LINKED,
    1419: Inheritance.X_LINKED_RECESSIVE,
    1423: Inheritance.X_LINKED_DOMINANT,
    3745: Inheritance.SPORADIC,
    25352: Inheritance.SPORADIC,  # typically de novo
    1442: Inheritance.SPORADIC,  # typified by somatic mosaicism
}

_HET = frozenset({Model.DE_NOVO, Model.DOMINANT})
_BIALLELIC = frozenset({Model.RECESSIVE_HOMOZYGOUS, Model.COMPOUND_HETEROZYGOUS})
# a female's two hits in trans on X are scored as compound heterozygous
_X_RECESSIVE = frozenset({Model.X_LINKED_RECESSIVE, Model.COMPOUND_HETEROZYGOUS})
ALLOWED: dict[Inheritance, frozenset[Model]] = {
    Inheritance.AUTOSOMAL_DOMINANT: _HET,
    Inheritance.AUTOSOMAL_RECESSIVE: _BIALLELIC,
    Inheritance.X_LINKED_RECESSIVE: _X_RECESSIVE,
    Inheritance.X_LINKED_DOMINANT: _X_RECESSIVE | _HET,
    Inheritance.X_LINKED: _X_RECESSIVE | _HET,
    Inheritance.SPORADIC: _HET,
}


def modes_of(terms: Iterable[int]) -> frozenset[Inheritance]:
    """The modes among a disease's (integer) HPO terms."""
    return frozenset(MODE_TERMS[t] for t in terms if t in MODE_TERMS)


def allowed_models(modes: Iterable[Inheritance]) -> frozenset[Model] | None:
    """The burden models any of ``modes`` allows; None when no mode is known (every model fits)."""
    allowed: frozenset[Model] = frozenset()
    for mode in modes:
        allowed |= ALLOWED[mode]
    return allowed or None
