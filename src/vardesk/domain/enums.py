"""Enumerations shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role in their workspace, from most to least powerful."""

    ADMIN = "admin"
    DIRECTOR = "director"
    ANALYST = "analyst"
    VIEWER = "viewer"


class ShareRole(StrEnum):
    """What other members of the workspace may do with a project they do not own."""

    CONTRIBUTOR = "CONTRIBUTOR"
    VIEWER = "VIEWER"
    NONE = "NONE"


class JobState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class GenomeState(StrEnum):
    """Lifecycle of an uploaded file and of each genome (one sample column) in it."""

    UPLOADED = "UPLOADED"
    VALIDATING = "VALIDATING"
    ANNOTATING = "ANNOTATING"
    READY = "READY"
    FAILED = "FAILED"


class Sex(StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"
    UNKNOWN = "UNKNOWN"

    @property
    def label(self) -> str:
        """The word a report prints: Male, Female, Unknown."""
        return self.value.capitalize()


class Affected(StrEnum):
    AFFECTED = "AFFECTED"
    UNAFFECTED = "UNAFFECTED"
    UNKNOWN = "UNKNOWN"


class Relation(StrEnum):
    """A case member's relation to the proband (TUMOR / NORMAL: the two samples of a somatic case)."""

    PROBAND = "PROBAND"
    FATHER = "FATHER"
    MOTHER = "MOTHER"
    SIBLING = "SIBLING"
    CHILD = "CHILD"
    OTHER = "OTHER"
    TUMOR = "TUMOR"
    NORMAL = "NORMAL"


class Classification(StrEnum):
    """The five ACMG/AMP tiers of a variant, valued with the wording reports and the faces use."""

    PATHOGENIC = "Pathogenic"
    LIKELY_PATHOGENIC = "Likely pathogenic"
    UNCERTAIN_SIGNIFICANCE = "Uncertain significance"
    LIKELY_BENIGN = "Likely benign"
    BENIGN = "Benign"
