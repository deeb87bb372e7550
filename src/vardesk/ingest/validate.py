"""Synchronous validation of an uploaded VCF: one streaming pass, header facts back, or :class:`Invalid`."""

from __future__ import annotations

from pathlib import Path

from vardesk.ingest.build import detect_build
from vardesk.ingest.header import HeaderInfo
from vardesk.ingest.reader import VcfReader
from vardesk.ingest.sniff import Limits, check_size, verify_md5


def validate_vcf(
    path: Path | str,
    *,
    expected_build: str | None = None,
    max_bytes: int | None = None,
    md5: str | None = None,
    max_line_bytes: int = Limits.max_line_bytes,
    max_ratio: float = Limits.max_ratio,
    ratio_grace_bytes: int = Limits.ratio_grace_bytes,
    max_uncompressed_bytes: int = Limits.max_uncompressed_bytes,
) -> HeaderInfo:
    """Check the whole file (header and every record) without holding it in memory.

    Returns the header facts with ``records``, ``gvcf`` and ``build`` filled in (``build`` is None
    when neither contigs nor ``##reference`` tell and no ``expected_build`` is given). Raises
    :class:`~vardesk.domain.errors.TooLarge` over ``max_bytes``, and
    :class:`~vardesk.domain.errors.Invalid` (``details["line"]`` for line errors) otherwise.
    """
    if max_bytes is not None:
        check_size(path, max_bytes)
    if md5 is not None:
        verify_md5(path, md5)
    limits = Limits(
        max_line_bytes=max_line_bytes,
        max_ratio=max_ratio,
        ratio_grace_bytes=ratio_grace_bytes,
        max_uncompressed_bytes=max_uncompressed_bytes,
    )
    with VcfReader(path, limits) as reader:
        header = reader.header
        header.build = detect_build(header.contigs, header.reference, expected_build)
        for _ in reader.chunks():
            pass
        header.records = reader.records
        header.gvcf = header.gvcf or reader.gvcf_records
    return header
