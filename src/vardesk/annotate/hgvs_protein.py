"""Protein-level (p.) HGVS prediction from a reference protein and an edited coding sequence.

Rules (HGVS recommendations, predicted consequences in parentheses):

* missense ``p.(Arg97Cys)``; nonsense ``p.(Arg97Ter)`` — also for in-frame insertions,
  deletion-insertions and frameshifts whose first changed amino acid is a stop;
* synonymous ``p.(Leu5=)`` (the form HGVS recommends since 2016; never ``p.(Leu5Leu)``);
* in-frame ``del``/``dup``/``ins``/``delins`` after trimming the common prefix, then the common
  suffix, of the reference and variant proteins, which shifts them to the most C-terminal
  position (3' rule on the protein level); an insertion that repeats the preceding amino acids
  is a ``dup``;
* frameshift ``p.(Arg97ProfsTer23)``: the first changed amino acid, its replacement and the
  position of the new stop counting the replacement as 1 (``fsTer?`` when the transcript ends
  without a stop);
* stop loss ``p.(Ter110GlnextTer17)``: the new stop counted from the old stop's position
  (``extTer?`` without a stop); a stop codon kept ``p.(Ter110=)``;
* start loss ``p.(Met1?)`` for any change of the initiation codon.
"""

from __future__ import annotations

from dataclasses import dataclass

AA3 = {
    "A": "Ala",
    "R": "Arg",
    "N": "Asn",
    "D": "Asp",
    "C": "Cys",
    "Q": "Gln",
    "E": "Glu",
    "G": "Gly",
    "H": "His",
    "I": "Ile",
    "L": "Leu",
    "K": "Lys",
    "M": "Met",
    "F": "Phe",
    "P": "Pro",
    "S": "Ser",
    "T": "Thr",
    "W": "Trp",
    "Y": "Tyr",
    "V": "Val",
    "*": "Ter",
    "X": "Xaa",
}

_BASES = "TCAG"
_AAS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON_TABLE: dict[str, str] = {
    a + b + c: _AAS[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}


def translate(seq: str, to_stop: bool = False) -> str:
    """Standard genetic code; incomplete trailing codons are dropped, ambiguous codons give X."""
    out = []
    get = CODON_TABLE.get
    for i in range(0, len(seq) - 2, 3):
        aa = get(seq[i : i + 3], "X")
        out.append(aa)
        if to_stop and aa == "*":
            break
    return "".join(out)


@dataclass(frozen=True, slots=True)
class ProteinChange:
    """A p. description as tokens: ``str`` literals and ``(aa-sequence,)`` 1-tuples to render."""

    tokens: tuple[str | tuple[str], ...]
    position: int  # 1-based position of the first affected amino acid

    def render(self, three_letter: bool = True) -> str:
        out = []
        for t in self.tokens:
            if isinstance(t, tuple):
                out.append("".join(AA3.get(a, "Xaa") for a in t[0]) if three_letter else t[0])
            else:
                out.append(t)
        return "".join(out)

    @property
    def hgvs(self) -> str:
        return f"p.({self.render(True)})"

    @property
    def short(self) -> str:
        return self.render(False)


START_LOSS = ProteinChange((("M",), "1?"), 1)


def _aa(seq: str) -> tuple[str]:
    return (seq,)


def _range(ref: str, i: int, j: int) -> list[str | tuple[str]]:
    """Tokens for amino acids i..j (0-based, inclusive): ``Lys10`` or ``Lys10_Arg12``."""
    if i == j:
        return [_aa(ref[i]), str(i + 1)]
    return [_aa(ref[i]), str(i + 1), "_", _aa(ref[j]), str(j + 1)]


def _stop_change(ref: str, alt: str, i: int) -> ProteinChange:
    """The reference stop at ``i`` is changed: kept (=) or extended."""
    if i < len(alt) and alt[i] == "*":
        return ProteinChange((_aa("*"), f"{i + 1}="), i + 1)
    stop = alt.find("*", i)
    n = str(stop - i) if stop >= 0 else "?"
    return ProteinChange((_aa("*"), str(i + 1), _aa(alt[i]), "ext", _aa("*"), n), i + 1)


def describe(
    ref: str, alt: str, first: int, frameshift: bool, premature: bool, ref_consumed_end: int
) -> ProteinChange:
    """Describe ``alt`` against ``ref`` (both from Met1, stop ``*`` included when reached).

    ``first`` is the 0-based index of the first codon the nucleotide change touches (nothing
    differs before it). For in-frame changes, ``premature`` says the replacement codons hold a
    stop (``alt`` ends there) and ``ref_consumed_end`` is the exclusive end of the reference
    codons they replace.
    """
    n_ref, n_alt = len(ref), len(alt)
    i = first
    while i < n_ref and i < n_alt and ref[i] == alt[i] and ref[i] != "*":
        i += 1
    if i >= n_ref or (i < n_alt and ref[i] == alt[i]):
        # identical through the stop, or through the end of a reference without a stop
        return ProteinChange((_aa(ref[first]), f"{first + 1}="), first + 1)
    if ref[i] == "*":
        return _stop_change(ref, alt, i)
    if i >= n_alt:  # the variant protein ends without a stop here (runs off the transcript)
        return ProteinChange((_aa(ref[i]), str(i + 1), "fs", _aa("*"), "?"), i + 1)
    if alt[i] == "*":
        return ProteinChange((_aa(ref[i]), str(i + 1), _aa("*")), i + 1)
    if frameshift:
        stop = alt.find("*", i)
        n = str(stop - i + 1) if stop >= 0 else "?"
        return ProteinChange((_aa(ref[i]), str(i + 1), _aa(alt[i]), "fs", _aa("*"), n), i + 1)
    if premature:
        # the inserted codons carry a stop: an insertion (or delins) ending in Ter
        tail = _aa(alt[i:])
        if ref_consumed_end <= i:
            return ProteinChange((*_range(ref, i - 1, i), "ins", tail), i)
        return ProteinChange((*_range(ref, i, min(ref_consumed_end, n_ref) - 1), "delins", tail), i + 1)
    # the tails after the replaced codons are equal: trim the common suffix from there
    jr = min(n_ref, ref_consumed_end) - 1
    ja = jr + n_alt - n_ref
    while jr >= i and ja >= i and ref[jr] == alt[ja]:
        jr -= 1
        ja -= 1
    rpart, apart = ref[i : jr + 1], alt[i : ja + 1]
    if not rpart:
        k = len(apart)
        if i - k >= 0 and ref[i - k : i] == apart:
            return ProteinChange((*_range(ref, i - k, i - 1), "dup"), i - k + 1)
        return ProteinChange((*_range(ref, i - 1, i), "ins", _aa(apart)), i)
    if not apart:
        return ProteinChange((*_range(ref, i, jr), "del"), i + 1)
    if len(rpart) == 1 and len(apart) == 1:
        return ProteinChange((_aa(rpart), str(i + 1), _aa(apart)), i + 1)
    return ProteinChange((*_range(ref, i, jr), "delins", _aa(apart)), i + 1)
