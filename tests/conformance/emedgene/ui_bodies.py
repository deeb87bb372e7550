"""Case-creation bodies in the three shapes the Emedgene UI sends (contract §1.3): written for these tests,
with the UI's field set and quirks — virtual parents named only by reference, relatives chained through
``other``, ``mother: null``, phenotypes as ``phenotypes/EMG_PHENOTYPE_<digits>`` objects (some flagged
``related``), empty strings and nulls where nothing was entered, the kit fields of ``sequence_info``.
Each is sent as the bytes ``json.dumps`` gives, as the UI posts them."""

from __future__ import annotations

import json
from typing import Any

_ETHNICITY: dict[str, list[str]] = {"maternal": [], "paternal": []}


def _person(pid: str, relationship: str, gender: str, *, healthy: bool, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "dead": False,
        "detailed_ethnicity": dict(_ETHNICITY),
        "fastq_sample": "",
        "gender": gender,
        "healthy": healthy,
        "id": pid,
        "ignore": False,
        "notes": "",
        "phenotypes": [],
        "quality": "",
        "relationship": relationship,
        "zygosity": "",
    }
    doc.update(extra)
    return doc


def _phenotype(hpo_digits: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"phenotypes/EMG_PHENOTYPE_{hpo_digits}", "name": name, **extra}


def proband_with_cousin() -> dict[str, Any]:
    """A healthy proband, his father, the father's brother (with a virtual grandfather) and that brother's
    son: relatives reached only through ``other``; a VCF case on all genes, no presets."""
    grandfather = "virtual_father5e21"
    return {
        "sharing_level": 0,
        "should_upload": False,
        "test_data": {
            "analysis_type": None,
            "boostGenes": False,
            "consanguinity": False,
            "disease_penetrance": 100,
            "disease_severity": "",
            "diseases": [],
            "gene_list": {"id": 1, "type": "all", "visible": False},
            "incidental_findings": None,
            "inheritance_modes": [],
            "labels": [],
            "notes": "",
            "patients": {
                "father": _person("other3b17", "Father", "Male", healthy=True, father=grandfather),
                "other": [
                    _person("other9c40", "Other", "Male", healthy=True, father=grandfather),
                    _person("other41de", "Other", "Male", healthy=True, father="other9c40"),
                ],
                "proband": _person(
                    "proband", "Test Subject", "Male", healthy=True, father="other3b17", mother=None
                ),
            },
            "sample_type": "vcf",
            "samples": [],
            "selected_preset_set": None,
            "sequence_info": {"intersect_bed_id": None},
            "type": "Exome",
        },
    }


def proband_mother_and_maternal_grandmother() -> dict[str, Any]:
    """An affected proband and his affected mother (her phenotype flagged ``related``), whose mother is a
    healthy relative in ``other``; the kit named in ``sequence_info``; the re-analysis flags."""
    eczema = ("0000964", "Eczema")
    return {
        "should_upload": False,
        "test_data": {
            "analysis_type": None,
            "boostGenes": False,
            "consanguinity": False,
            "disease_severity": "",
            "diseases": [],
            "incidental_findings": None,
            "needReanalysis": False,
            "notes": "",
            "patients": {
                "mother": _person(
                    "other5a02",
                    "Mother",
                    "Female",
                    healthy=False,
                    father=None,
                    mother="other0e6b",
                    other_family_data_key="mother",
                    other_family_data_sample="",
                    phenotypes=[_phenotype(*eczema, related=True)],
                ),
                "other": [_person("other0e6b", "Other", "Female", healthy=True)],
                "proband": _person(
                    "proband",
                    "Test Subject",
                    "Male",
                    healthy=False,
                    father=None,
                    mother="other5a02",
                    other_family_data_key="proband",
                    other_family_data_sample="",
                    phenotypes=[_phenotype(*eczema)],
                ),
            },
            "reanalysis": False,
            "remove_aa_tags": False,
            "samples": [],
            "selected_preset_set": "",
            "sequence_info": {
                "intersect_bed_id": None,
                "kit": "Twist Bioscience - Human Core Exome",
                "kit_id": 11,
            },
            "type": "Exome",
        },
    }


def proband_sibling_and_virtual_father() -> dict[str, Any]:
    """An affected proband with four phenotypes and a healthy brother who share a father that is not
    sequenced (a virtual member named only in ``father``); a new, empty gene list; a FASTQ case."""
    father = "virtual_father7a3c"
    proband = _person(
        "proband",
        "Test Subject",
        "Male",
        healthy=False,
        father=father,
        other_family_data_key="proband",
        other_family_data_sample="sample-b2",
        phenotypes=[
            _phenotype("0001250", "Seizure"),
            _phenotype("0001263", "Global developmental delay"),
            _phenotype("0000252", "Microcephaly"),
            _phenotype("0001252", "Hypotonia"),
        ],
    )
    for unused in ("dead", "ignore", "quality", "zygosity"):  # the UI leaves these off the proband here
        del proband[unused]
    return {
        "should_upload": False,
        "test_data": {
            "analysis_type": None,
            "boostGenes": False,
            "consanguinity": False,
            "disease_severity": "",
            "diseases": [],
            "gene_list": {"genes": [], "id": 0, "name": "", "type": "new", "visible": True},
            "indication_for_testing": "string",
            "notes": "",
            "patients": {
                "other": [_person("other6f18", "Sibling", "Male", healthy=True, father=father)],
                "proband": proband,
            },
            "sample_type": "fastq",
            "samples": [],
            "selected_preset_set": "",
            "sequence_info": {"intersect_bed_id": None},
            "type": "Exome",
        },
    }


UI_BODIES = {
    "proband-cousin": proband_with_cousin,
    "proband-mother-maternal-grandmother": proband_mother_and_maternal_grandmother,
    "proband-sibling-virtual-father": proband_sibling_and_virtual_father,
}


def ui_body_bytes(name: str) -> bytes:
    return json.dumps(UI_BODIES[name]()).encode()
