"""Catalog ids as clients write them: the one parser every face and every numeric lookup uses.

A catalog id is a whole number from 1 to 2**31 - 1 (the range of the INTEGER primary keys on
PostgreSQL, where INTEGER has 32 bits; SQLite's would hold 64) written with ASCII digits only.
``str.isdigit()`` is not that test: it accepts ``²`` and ``٣``, which ``int()`` then refuses, and it
accepts numbers that overflow the database's integers.

A file's string id (its OpenCGA ``id``, the catalog's ``files.code``) is made by the server and carries
nothing of the client: ``file_`` and 20 random hex digits (:func:`new_file_code`). Labs name VCFs after
patients and accessions, so the name the client gave is metadata (``name``, ``path``), never an id.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from vardesk.domain.errors import Invalid

MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
FILE_CODE_PREFIX = "file_"
_FILE_CODE = re.compile(r"file_[0-9a-f]{20}")
_SHOWN = 40


def shown(value: Any) -> str:
    """``value`` as an error message may quote it: repr'd and cut short."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "...'"


def ascii_int(text: str) -> int | None:
    """``text`` as a non-negative int when it is 1–19 ASCII digits, else None (no sign, no spaces)."""
    return int(text) if isinstance(text, str) and _DIGITS.fullmatch(text) else None


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def numeric_id(ref: Any) -> int | None:
    """The catalog id ``ref`` is written as, or None when it is not one (a code, a uuid, ``²``, ``-1``,
    a number beyond the id range): callers then look ``ref`` up by code or answer "not found"."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref if is_id(ref) else None
    value = ascii_int(ref) if isinstance(ref, str) else None
    return value if value is not None and is_id(value) else None


def parse_id(value: Any, what: str = "id") -> int:
    """``value`` as a catalog id, or Invalid naming ``what`` and the accepted form."""
    found = numeric_id(value)
    if found is None:
        raise Invalid(
            f"{what} {shown(value)} is not a valid id: use a whole number from 1 to {MAX_ID} "
            "written with the digits 0-9"
        )
    return found


def new_file_code() -> str:
    """A new file id: ``file_`` and 80 random bits in hex, unrelated to anything the client sent."""
    return FILE_CODE_PREFIX + secrets.token_hex(10)


def is_file_code(value: Any) -> bool:
    """Whether ``value`` is written as a file id the server makes (see :func:`new_file_code`)."""
    return isinstance(value, str) and _FILE_CODE.fullmatch(value) is not None
