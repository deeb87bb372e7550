"""ACMG/AMP evidence assigners and classifiers (framework-free).

Assigners (one per criterion) read a :class:`VariantEvidenceInput` and return an :class:`Evidence`
(MET / NOT_MET / NOT_EVALUABLE, strength, rule, thresholds, data versions, explanation).
Classifiers combine met evidence: the 2015 rules and the ClinGen SVI points. :func:`assess` runs
everything; :func:`combine` puts a reviewer's criteria over a stored automatic assessment.
See ``docs/acmg.md``.
"""

from vardesk.analysis.acmg.assess import ASSIGNERS, Assessment, assess, run_assigners, with_manual
from vardesk.analysis.acmg.classifiers import (
    Acmg2015Classifier,
    Classifier,
    ClassifierResult,
    PointsClassifier,
)
from vardesk.analysis.acmg.combine import Combined, combine, combine_stored, manual_record
from vardesk.analysis.acmg.config import DEFAULT_CONFIG, AcmgConfig, ToolCalibration
from vardesk.analysis.acmg.from_annotation import input_from_annotation
from vardesk.analysis.acmg.history import (
    ClassificationRecord,
    History,
    current,
    record_computed,
    record_override,
)
from vardesk.analysis.acmg.inputs import (
    ClinVarResidueFacts,
    ClinVarVariantRef,
    FamilyData,
    FamilyMember,
    GeneClinVarStats,
    GeneFacts,
    Inheritance,
    InSilicoScore,
    ManualEvidence,
    Phase,
    PhasedVariant,
    PhenotypeMatch,
    PopulationData,
    Provenance,
    Relation,
    Sex,
    TranscriptConsequence,
    VariantCoordinates,
    VariantEvidenceInput,
)
from vardesk.analysis.acmg.model import (
    CRITERIA,
    Direction,
    Evidence,
    Source,
    Status,
    Strength,
)
from vardesk.analysis.acmg.protein import ProteinChange, clinvar_residue_facts, parse_protein_change
from vardesk.domain.enums import Classification

__all__ = [
    "ASSIGNERS",
    "CRITERIA",
    "DEFAULT_CONFIG",
    "Acmg2015Classifier",
    "AcmgConfig",
    "Assessment",
    "Classification",
    "ClassificationRecord",
    "Classifier",
    "ClassifierResult",
    "Combined",
    "ClinVarResidueFacts",
    "ClinVarVariantRef",
    "Direction",
    "Evidence",
    "FamilyData",
    "FamilyMember",
    "GeneClinVarStats",
    "GeneFacts",
    "History",
    "InSilicoScore",
    "Inheritance",
    "ManualEvidence",
    "Phase",
    "PhasedVariant",
    "PhenotypeMatch",
    "PointsClassifier",
    "PopulationData",
    "ProteinChange",
    "Provenance",
    "Relation",
    "Sex",
    "Source",
    "Status",
    "Strength",
    "ToolCalibration",
    "TranscriptConsequence",
    "VariantCoordinates",
    "VariantEvidenceInput",
    "assess",
    "clinvar_residue_facts",
    "combine",
    "combine_stored",
    "current",
    "input_from_annotation",
    "manual_record",
    "parse_protein_change",
    "record_computed",
    "record_override",
    "run_assigners",
    "with_manual",
]
