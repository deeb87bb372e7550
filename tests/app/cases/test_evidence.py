"""The score columns a stored annotation row has are read; the ones it lacks are absent, not an error."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.app.cases.evidence import _annotation_row


def test_only_the_score_columns_a_part_has_are_read(tmp_path: Path) -> None:
    old = tmp_path / "old"
    new = tmp_path / "new"
    old.mkdir()
    new.mkdir()
    pq.write_table(pa.table({"key": [1, 2], "gnomad_af": [0.1, 0.2]}), old / "part-0.parquet")
    pq.write_table(
        pa.table({"key": [3], "revel": [0.91], "cadd_phred": [27.5], "gnomad_nhomalt": [4]}),
        new / "part-0.parquet",
    )
    assert _annotation_row([old, new], 3) == {"revel": 0.91, "cadd_phred": 27.5, "gnomad_nhomalt": 4}
    assert _annotation_row([old, new], 2) == {"gnomad_af": 0.2}
    assert _annotation_row([old, new], 9) == {}
    assert _annotation_row([tmp_path / "missing"], 3) == {}
