"""VCF ingest: sniff → validate → normalise → split samples → per-genome genotype Parquet files.

Entry points: :func:`vardesk.ingest.validate.validate_vcf` (synchronous check of an upload) and
:func:`vardesk.ingest.pipeline.ingest_vcf` (the job that writes the genotype store).
"""
