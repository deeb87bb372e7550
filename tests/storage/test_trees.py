"""Local file trees of storage providers: what cannot be stat'ed counts as absent, never an error."""

from __future__ import annotations

from pathlib import Path

from vardesk.storage.trees import LocalTree


def test_a_path_the_file_system_refuses_is_absent(tmp_path: Path) -> None:
    (tmp_path / "run1").mkdir()
    (tmp_path / "run1" / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    tree = LocalTree(tmp_path)
    assert tree.is_dir(("run1",)) and tree.size(("run1", "a.vcf")) == 21
    too_long = ("a" * 10_000,)  # ENAMETOOLONG: Path.is_dir() would raise it
    not_a_folder = ("run1", "a.vcf", "x")  # ENOTDIR
    for parts in (too_long, not_a_folder, ("run1", "b" * 300 + ".vcf"), ("nope",)):
        assert tree.is_dir(parts) is False, parts
        assert tree.size(parts) is None, parts
    assert tree.size(("run1",)) is None and tree.is_dir(("run1", "a.vcf")) is False
