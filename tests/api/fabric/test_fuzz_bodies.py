"""Fuzzing the Fabric face's body decoders: JSON, JSON Patch, urlencoded forms, BED and target lists, and the
report bodies' member keys, each decoded straight from a Starlette request built from raw bytes.

Property: a body decodes, or is refused with the project's own error (a 4xx with a message), never with
another exception; the live-server fuzz of the same bodies is ``test_fuzz_endpoints.py``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from starlette.requests import Request

from tests.fuzzing import decodes, fuzz_settings
from vardesk.api.fabric import common
from vardesk.api.fabric import members as fm
from vardesk.api.fabric.routes_analysis import _bed, _targets
from vardesk.app.commands import NewMember
from vardesk.domain.errors import Invalid

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(
        ["null", "None", "", " ", "1", "-1", "true", "f", "[]", "[1,", '["HP:0001250"]', "m", "MALE"]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
REPORT_KEYS = [
    "report_type",
    "project_id",
    "genome_id",
    "proband_genome_id",
    "proband_sex",
    "proband",
    "mother_genome_id",
    "mother_sex",
    "mother_affected",
    "father_genome_id",
    "father_sex",
    "father_affected",
    "sibling_genome_id",
    "sibling_sex",
    "sibling_affected",
    "duo_relation",
    "duo_relation_genome_id",
    "duo_affected",
    "duo_relation_affected",
    "family_1",
    "family_2",
    "family_3",
    "family_4",
    "hpo_terms",
    "accession_id",
    "panel_id",
    "test_type",
    "include_cosmic",
    "score_indels",
    "filter_id",
    "disease_id",
    "background",
]
MEMBER = st.dictionaries(
    st.sampled_from(["genome_id", "sex", "affected", "label", "relationship"]),
    st.one_of(SCALARS, st.sampled_from(["mother", "Sister", "child", "other", "x"])),
    max_size=5,
)
REPORT_BODY = st.dictionaries(
    st.sampled_from(REPORT_KEYS),
    st.one_of(
        SCALARS,
        MEMBER,
        JSON,
        st.sampled_from(
            ["Trio", "Duo", "Quad", "solo", "panel", "exome", "somatic_panel", "panel_trio", "x"]
        ),
    ),
    max_size=8,
)
RAW = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda d: json.dumps(d).encode()),
    REPORT_BODY.map(lambda d: json.dumps(d).encode()),
    st.sampled_from([b"[" * 50_000, b'{"a": 1' + b"0" * 5000 + b"}", b"\xff\xfe{", b'{"a": NaN}', b"\x00"]),
)


def request(body: bytes, content_type: str | None = None) -> Request:
    """A real Starlette request over ``body`` (what the ASGI server hands the face)."""
    headers = [(b"content-type", content_type.encode())] if content_type else []
    scope = {"type": "http", "method": "POST", "path": "/fabric/x", "headers": headers, "query_string": b""}
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def run(coro_fn: Any, body: bytes, *args: Any) -> Any:
    return asyncio.run(coro_fn(request(body), *args))


@fuzz_settings(250)
@given(RAW)
@example(b"[" * 100_000)  # json.loads: RecursionError (was a 500)
@example(b'{"a": 1' + b"0" * 5000 + b"}")  # json.loads: ValueError beyond 4300 digits (was a 500)
@example(b"[" * 60 + b"]" * 60)  # nested below the limit: fine
def test_json_bodies_decode_or_are_refused(body: bytes) -> None:
    for decoder, args in (
        (common.json_doc, ()),
        (common.json_object, ()),
        (common.json_patch, (("status", "notes"),)),
        (common.form_fields, ()),
    ):
        _, error = decodes(run, decoder, body, *args)
        assert error is None or isinstance(error, Invalid), repr(error)


@fuzz_settings(250)
@given(REPORT_BODY)
@example({"report_type": "Trio", "hpo_terms": "[" * 5000})  # hpo_terms JSON: RecursionError (was a 500)
@example({"report_type": "Trio", "hpo_terms": "[1" + "0" * 5000 + "]"})
@example({"report_type": "Duo", "duo_relation": "mother", "family_1": {"genome_id": 10**5000}})
def test_report_bodies_become_members_or_are_refused(body: dict[str, Any]) -> None:
    """What E10/E13 do with a body before calling the core: type, member slots, options, HPO ids."""

    def translate() -> list[NewMember]:
        kind, test_type = fm.case_type(body)
        members = fm.overlay(fm.slots(kind), body)
        common.to_int(body.get("project_id"), "project_id")
        common.to_int(body.get("panel_id"), "panel_id")
        common.to_hpo_ids(body.get("hpo_terms"))
        fm.options({**body, "test_type": test_type})
        fm.genome_ids(members)
        return [NewMember.from_fields(m, i) for i, m in enumerate(members)]

    members, error = decodes(translate)
    assert error is None or isinstance(error, Invalid), repr(error)
    if members is not None:
        assert members and all(isinstance(m, NewMember) for m in members)
    _, error = decodes(fm.overlay, [], body)  # an update of a report with no members yet
    assert error is None or isinstance(error, Invalid), repr(error)


BED_LINE = st.one_of(
    st.tuples(
        st.sampled_from(["chr1", "1", "X", "", "chr1 "]),
        st.one_of(st.integers(-5, 10**12).map(str), SCALARS.map(str)),
        st.one_of(st.integers(-5, 10**12).map(str), SCALARS.map(str)),
    ).map("\t".join),
    st.sampled_from(["track name=x", "browser position", "# c", "", "chr1 1 2", "chr1\t1"]),
    st.text(max_size=20),
)


@fuzz_settings(200)
@given(st.one_of(st.lists(BED_LINE, max_size=6).map("\n".join), st.text(max_size=100)))
@example("chr1\t1" + "0" * 5000 + "\t2")
def test_bed_bodies_become_regions_or_are_refused(text: str) -> None:
    regions, error = decodes(_bed, text)
    assert error is None or isinstance(error, Invalid), repr(error)
    if regions is not None:
        assert regions and all(":" in r for r in regions)


@fuzz_settings(200)
@given(JSON)
@example([{"chromosome": "1", "start_on_chrom": "1" + "0" * 5000}])
@example([{"chromosome": {"a": 1}, "start_on_chrom": 1.5}])
def test_target_lists_become_regions_or_are_refused(doc: Any) -> None:
    _, error = decodes(_targets, doc)
    assert error is None or isinstance(error, Invalid), repr(error)


@fuzz_settings(200)
@given(SCALARS | JSON)
def test_value_coercions_return_or_refuse(value: Any) -> None:
    for fn, args in (
        (common.to_int, ("x",)),
        (common.to_bool, ()),
        (common.to_sex, ()),
        (common.to_hpo_ids, ()),
        (common.clean_text, ()),
        (common.blank, ()),
    ):
        _, error = decodes(fn, value, *args)
        assert error is None or isinstance(error, Invalid), repr(error)
