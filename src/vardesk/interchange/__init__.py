"""Interchange formats: PED, Phenopackets and the variant exports (JSON, CSV/TSV, VCF)."""
