"""Files, samples (genomes), individuals and families in OpenCGA's shapes."""

from __future__ import annotations

from typing import Any

from vardesk.api.native.render import ts
from vardesk.app.files import FileView
from vardesk.app.samples import FamilyView, GenomeView, IndividualView
from vardesk.domain.annotation_source import SYNTHETIC_BANNER, describe
from vardesk.domain.enums import GenomeState
from vardesk.domain.models import Genome

_INDEX_STATUS = {
    GenomeState.UPLOADED: "NONE",
    GenomeState.VALIDATING: "INDEXING",
    GenomeState.ANNOTATING: "INDEXING",
    GenomeState.READY: "READY",
    GenomeState.FAILED: "ERROR",
}


def file(v: FileView) -> dict[str, Any]:
    f = v.file
    return {
        "id": f.code,
        "uuid": f.uuid,
        "name": f.name,
        "type": "FILE",
        "format": f.format,
        "bioformat": "VARIANT",
        "path": f.path,
        "uri": f"vardesk://{f.blob_key}",
        "size": f.size,
        "checksum": f.sha256,
        "release": 1,
        "creationDate": ts(f.created_at),
        "modificationDate": ts(f.modified_at),
        "description": f.description,
        "external": False,
        "resource": False,
        "software": {},
        "sampleIds": [g.code for g in v.genomes],
        "tags": [],
        "status": {"id": "READY"},
        "internal": {
            "status": {"id": "READY"},
            "variant": {"index": {"status": {"id": _INDEX_STATUS[f.state], "description": f.state_reason}}},
            "sampleMap": {g.sample_name: g.code for g in v.genomes},
        },
        "attributes": {
            "vardesk": {
                "state": f.state.value,
                "stateReason": f.state_reason,
                "build": f.build,
                "compression": f.compression,
                "vcfVersion": f.vcf_version,
                "md5": f.md5,
                "records": f.records,
                "gvcf": f.gvcf,
            }
        },
    }


def sample(v: GenomeView) -> dict[str, Any]:
    g = v.genome
    return {
        "id": g.code,
        "uuid": g.uuid,
        "individualId": v.individual_code or "",
        "fileIds": [v.file_code],
        "somatic": g.somatic,
        "phenotypes": [],
        "release": 1,
        "version": 1,
        "creationDate": ts(g.created_at),
        "modificationDate": ts(g.modified_at),
        "description": g.label,
        "status": {"id": "READY"},
        "internal": {
            "status": {"id": "READY"},
            "variant": {"index": {"status": {"id": _INDEX_STATUS[g.state], "description": g.state_reason}}},
        },
        "attributes": {
            "vardesk": {
                "genomeId": g.id,
                "sampleName": g.sample_name,
                "label": g.label,
                "state": g.state.value,
                "stateReason": g.state_reason,
                "build": g.build,
                "variants": g.variants,
                "called": g.called,
                "annotation": annotation_doc(g),
            }
        },
    }


def individual(v: IndividualView) -> dict[str, Any]:
    i = v.individual
    return {
        "id": i.code,
        "uuid": i.uuid,
        "name": i.name,
        "father": {"id": v.father} if v.father else {},
        "mother": {"id": v.mother} if v.mother else {},
        "familyIds": v.families,
        "sex": {"id": i.sex.value},
        "karyotypicSex": "UNKNOWN",
        "ethnicity": {"id": i.ethnicity},
        "dateOfBirth": i.date_of_birth,
        "lifeStatus": "UNKNOWN",
        "phenotypes": i.phenotypes,
        "disorders": i.disorders,
        "samples": [{"id": g.code, "uuid": g.uuid} for g in v.genomes],
        "creationDate": ts(i.created_at),
        "modificationDate": ts(i.modified_at),
        "release": 1,
        "version": 1,
        "status": {"id": "READY"},
        "internal": {"status": {"id": "READY"}},
        "attributes": {**i.attributes, "affected": i.affected.value},
    }


def family(v: FamilyView) -> dict[str, Any]:
    f = v.family
    members = [individual(m) for m in v.members]
    return {
        "id": f.code,
        "uuid": f.uuid,
        "name": f.name,
        "description": f.description,
        "members": members,
        "phenotypes": [],
        "disorders": [],
        "expectedSize": len(members),
        "release": 1,
        "version": 1,
        "creationDate": ts(f.created_at),
        "modificationDate": ts(f.modified_at),
        "status": {"id": "READY"},
        "internal": {"status": {"id": "READY"}},
        "attributes": f.attributes,
    }


def annotation_doc(g: Genome) -> dict[str, Any]:
    """Where the genome's annotation came from: bundle (and whether synthetic), pipeline tag (and the VCF
    fields its frequencies and scores were read from), or none."""
    d = describe(g)
    doc = {
        "bundle": g.annotation_bundle,
        "version": g.annotation_version,
        "source": d["source"],
        "tag": d["tag"],
        "synthetic": d["synthetic"],
        "reason": d["reason"],
        "label": d["label"],
        "banner": SYNTHETIC_BANNER if d["synthetic"] else "",
    }
    if d.get("fields"):
        doc["fields"] = d["fields"]
    return doc
