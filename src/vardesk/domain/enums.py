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


class Affected(StrEnum):
    AFFECTED = "AFFECTED"
    UNAFFECTED = "UNAFFECTED"
    UNKNOWN = "UNKNOWN"
