"""JSON, NDJSON and CSV exports read back with the standard library."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from vardesk.interchange.exports import encode, iter_csv, iter_json, iter_ndjson

ROWS: list[dict[str, Any]] = [
    {
        "chrom": "17",
        "pos": 43094464,
        "ref": "G",
        "alt": "A",
        "gene_symbol": "BRCA1",
        "consequences": ["missense_variant", "splice_region_variant"],
        "clinvar_conditions": 'Breast-ovarian cancer, familial 1; "HBOC"',
        "gnomad_af": 1.2e-05,
        "note": "line one\nline two",
        "reviewed": True,
    },
    {
        "chrom": "X",
        "pos": 153296777,
        "ref": "C",
        "alt": "T",
        "gene_symbol": None,
        "consequences": [],
        "clinvar_conditions": "",
        "gnomad_af": float("nan"),
        "note": None,
        "reviewed": False,
    },
]


def test_csv_reads_back_with_the_csv_module() -> None:
    text = "".join(iter_csv(ROWS))
    got = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(got[0]) == list(ROWS[0])
    assert got[0]["clinvar_conditions"] == 'Breast-ovarian cancer, familial 1; "HBOC"'
    assert got[0]["consequences"] == "missense_variant;splice_region_variant"
    assert got[0]["note"] == "line one\nline two"
    assert got[0]["pos"] == "43094464"
    assert got[0]["gnomad_af"] == "1.2e-05"
    assert got[0]["reviewed"] == "true"
    assert got[1]["gene_symbol"] == "" and got[1]["consequences"] == "" and got[1]["gnomad_af"] == ""
    assert text.startswith("chrom,pos,ref,alt,") and "\r\n" in text


def test_csv_columns_pick_and_order_and_missing_keys_are_empty() -> None:
    text = "".join(iter_csv(ROWS, ["gene_symbol", "pos", "absent"], list_separator="|"))
    assert text.splitlines() == ["gene_symbol,pos,absent", "BRCA1,43094464,", ",153296777,"]


def test_csv_without_rows_is_its_header() -> None:
    text = "".join(iter_csv(iter([]), columns=["chrom", "pos", "gene_symbol"]))
    reader = csv.DictReader(io.StringIO(text))
    assert list(reader) == [] and reader.fieldnames == ["chrom", "pos", "gene_symbol"]


def test_json_array_and_wrapped_object_parse() -> None:
    doc = json.loads("".join(iter_json(ROWS)))
    assert [r["gene_symbol"] for r in doc] == ["BRCA1", None]
    assert doc[0]["consequences"] == ["missense_variant", "splice_region_variant"]
    assert doc[1]["gnomad_af"] is None  # NaN is not JSON
    wrapped = json.loads("".join(iter_json(ROWS, wrap_key="objects")))
    assert list(wrapped) == ["objects"] and wrapped["objects"] == doc
    assert json.loads("".join(iter_json([]))) == []


def test_ndjson_one_object_per_line() -> None:
    lines = "".join(iter_ndjson(ROWS)).splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["note"] == "line one\nline two"


def test_arrow_batches_numpy_and_dates_become_plain_json() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "pos": pa.array([1, 2], pa.int32()),
            "qual": pa.array([1484.13, None], pa.float32()),
            "info": pa.array([[("DP", "10")], []], pa.map_(pa.string(), pa.string())),
        }
    )
    rows = [json.loads(line) for line in "".join(iter_ndjson(pa.Table.from_batches([batch]))).splitlines()]
    assert rows == [{"pos": 1, "qual": 1484.13, "info": {"DP": "10"}}, {"pos": 2, "qual": None, "info": {}}]
    extra = json.loads("".join(iter_json([{"n": np.int64(3), "f": np.float32(0.5), "d": date(2024, 3, 14)}])))
    assert extra == [{"n": 3, "f": 0.5, "d": "2024-03-14"}]


def test_writers_stream_lazily_in_bounded_chunks() -> None:
    consumed = 0

    def endless() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for i in itertools.count():
            consumed += 1
            yield {"chrom": "1", "pos": i, "gene_symbol": "SAMD11"}

    for writer in (iter_json, iter_ndjson, iter_csv):
        consumed = 0
        chunks = encode(writer(endless()))
        first, second = next(chunks), next(chunks)
        assert isinstance(first, bytes) and 60_000 < len(first) < 70_000 and len(second) < 70_000
        assert consumed < 10_000, writer.__name__  # a few chunks' worth, not the whole (endless) input
