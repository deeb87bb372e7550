"""Arrow schemas of the variant store: per-genome genotypes and coverage, and the annotation table."""

from __future__ import annotations

import pyarrow as pa

GENOTYPE_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),
        ("chrom", pa.string()),
        ("pos", pa.int32()),
        ("end", pa.int32()),
        ("ref", pa.string()),
        ("alt", pa.string()),
        ("rsid", pa.string()),
        ("qual", pa.float32()),
        ("filters", pa.list_(pa.string())),
        ("gt", pa.string()),
        ("zygosity", pa.int8()),
        ("phased", pa.bool_()),
        ("phase_set", pa.int32()),
        ("ad_ref", pa.int32()),
        ("ad_alt", pa.int32()),
        ("dp", pa.int32()),
        ("gq", pa.int32()),
        ("vaf", pa.float32()),
        ("info", pa.map_(pa.string(), pa.string())),
    ]
)

COVERAGE_SCHEMA = pa.schema(
    [
        ("chrom", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("min_dp", pa.int32()),
        ("gq", pa.int32()),
    ]
)

TRANSCRIPT_TYPE = pa.struct(
    [
        ("transcript_id", pa.string()),
        ("gene_symbol", pa.string()),
        ("gene_id", pa.string()),
        ("consequences", pa.list_(pa.string())),
        ("impact", pa.string()),
        ("hgvs_c", pa.string()),
        ("hgvs_p", pa.string()),
        ("canonical", pa.bool_()),
        ("mane", pa.bool_()),
    ]
)

# The columns the query layer reads from an annotation table (the annotation engine may add more).
ANNOTATION_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),
        ("gene_symbol", pa.string()),
        ("consequence", pa.string()),
        ("impact", pa.string()),
        ("transcripts", pa.list_(TRANSCRIPT_TYPE)),
        ("gnomad_af", pa.float64()),
        ("clinvar_significance", pa.string()),
    ]
)

ZYGOSITY_NO_CALL = -1
ZYGOSITY_HOM_REF = 0
ZYGOSITY_HET = 1
ZYGOSITY_HOM_ALT = 2
ZYGOSITY_HEMI = 3
