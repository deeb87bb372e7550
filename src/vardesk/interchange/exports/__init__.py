"""Variant exports: streaming JSON, NDJSON, CSV and VCF writers over dict rows or Arrow batches."""

from vardesk.interchange.exports.rows import encode, iter_rows
from vardesk.interchange.exports.tabular import csv_cell, iter_csv, iter_json, iter_ndjson, json_value
from vardesk.interchange.exports.vcf import (
    CONTIG_LENGTHS,
    NON_INFO_COLUMNS,
    InfoField,
    escape_info,
    infer_info_fields,
    iter_vcf,
)

__all__ = [
    "CONTIG_LENGTHS",
    "NON_INFO_COLUMNS",
    "InfoField",
    "csv_cell",
    "encode",
    "escape_info",
    "infer_info_fields",
    "iter_csv",
    "iter_json",
    "iter_ndjson",
    "iter_rows",
    "iter_vcf",
    "json_value",
]
