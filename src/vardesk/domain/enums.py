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


class Inheritance(StrEnum):
    """A disease's (or gene's) mode of inheritance, as the HPO "Mode of inheritance" terms state it."""

    AUTOSOMAL_DOMINANT = "AD"  # and pseudoautosomal dominant
    AUTOSOMAL_RECESSIVE = "AR"  # and pseudoautosomal recessive
    X_LINKED_DOMINANT = "XLD"
    X_LINKED_RECESSIVE = "XLR"
    X_LINKED = "XL"  # recessive or dominant not stated
    MITOCHONDRIAL = "MT"
    SPORADIC = "SPORADIC"  # sporadic, typically de novo, somatic mosaicism

    @property
    def dominant(self) -> bool:
        return self in (Inheritance.AUTOSOMAL_DOMINANT, Inheritance.X_LINKED_DOMINANT)

    @property
    def x_linked(self) -> bool:
        return self in (Inheritance.X_LINKED_DOMINANT, Inheritance.X_LINKED_RECESSIVE, Inheritance.X_LINKED)


class VariantTag(StrEnum):
    """A reviewer's tag on a report variant: how it stands in the case's differential."""

    MOST_LIKELY = "most_likely"
    CANDIDATE = "candidate"
    INCIDENTAL = "incidental"
    CARRIER = "carrier"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"most_likely": "Most likely", "none": "None"}.get(self.value, self.value.capitalize())

    @classmethod
    def parse(cls, value: object) -> VariantTag:
        """A tag from its value, name or label (``Most likely``, ``MOST_LIKELY``); empty is ``none``."""
        text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
        try:
            return cls(text or "none")
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"tag {value!r} is not one of {allowed}") from None
