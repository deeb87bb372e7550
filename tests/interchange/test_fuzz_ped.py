"""Fuzzing the PED reader: PED text is read or refused with :class:`Invalid` naming each problem's line,
never with another exception; what is read writes back and reads again, and converts to a case or is
refused cleanly."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import decodes, fuzz_settings
from vardesk.app.cases.exchange import case_fields
from vardesk.domain.errors import Invalid
from vardesk.interchange.ped import generations, parse_ped, parse_ped_entries, ped_to_case, write_ped
from vardesk.interchange.phenopackets import new_meta

IDS = st.sampled_from(["A", "B", "C", "D", "E", "F", "0", ".", "-9", "A B", "é", "#A"])
TOKEN = st.one_of(
    st.sampled_from(["0", "1", "2", "-9", "3", ".", "M", "F", "x", "", "٣", "1.0"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
)
SEP = st.sampled_from(["\t", " ", "  ", "\t ", "\u00a0", "\u3000"])


@st.composite
def ped_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(["", "# family", "#", "   ", "\t"]))
    cols = [
        draw(st.sampled_from(["F1", "F2", "0"])),
        draw(IDS),
        draw(st.one_of(IDS, TOKEN)),
        draw(st.one_of(IDS, TOKEN)),
        draw(TOKEN),
        draw(TOKEN),
    ]
    if kind == 1:
        cols = cols[: draw(st.integers(0, 5))]
    elif kind == 2:
        cols += draw(st.lists(TOKEN, max_size=3))
    if draw(st.integers(0, 3)):
        cols[4:6] = [draw(st.sampled_from(["0", "1", "2"])), draw(st.sampled_from(["0", "1", "2", "-9"]))][
            : len(cols[4:6])
        ]
    return draw(SEP).join(cols)


PED_TEXT = st.one_of(
    st.lists(ped_line(), max_size=10).flatmap(
        lambda lines: st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\u2028"]).map(lambda eol: eol.join(lines))
    ),
    st.text(max_size=200),
)


def deep_chain(n: int) -> str:
    """n generations, each the only child of the one before, youngest first."""
    lines = ["F\tI0\t0\t0\t1\t1"] + [f"F\tI{i}\tI{i - 1}\t0\t1\t1" for i in range(1, n)]
    return "\n".join(reversed(lines)) + "\n"


@fuzz_settings(200)
@given(PED_TEXT, st.booleans())
@example(deep_chain(3000), True)  # generations() once recursed once per generation (RecursionError)
@example("F\tA\tA\t0\t1\t2\n", True)
@example("F\tA\tB\t0\t1\t2\nF\tB\tA\t0\t1\t2\n", False)
def test_ped_text_is_read_or_refused(text: str, strict: bool) -> None:
    ped, error = decodes(parse_ped, text, strict_parents=strict)
    if error is not None:
        assert isinstance(error, Invalid)
        for problem in error.details.get("errors", []):
            assert problem  # every problem of the file is listed with its line
        return
    assert ped.records
    again = parse_ped(write_ped(ped.records), strict_parents=False)
    assert [(r.family, r.individual, r.father, r.mother, r.sex, r.affected) for r in again.records] == [
        (r.family, r.individual, r.father, r.mother, r.sex, r.affected) for r in ped.records
    ]
    depth = generations(ped.records)
    assert set(depth) == set(ped.families) and min(depth.values()) >= 1
    for family in ped.families:
        case, error = decodes(ped_to_case, ped.family(family), new_meta("fuzz"))
        if case is not None:
            decodes(case_fields, case, set())


@fuzz_settings(150)
@given(PED_TEXT, st.booleans(), st.booleans())
def test_ped_entries_are_read_or_refused(text: str, strict: bool, own_family: bool) -> None:
    entries, error = decodes(parse_ped_entries, text, strict=strict, own_family=own_family)
    assert error is None or isinstance(error, Invalid)
    if entries is not None:
        assert all(e.individual not in ("0", ".") for e in entries)


def test_generations_of_a_deep_pedigree() -> None:
    """A 3000-generation chain is counted without recursion."""
    assert generations(parse_ped(deep_chain(3000)).records) == {"F": 3000}
