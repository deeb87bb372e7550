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
# An encoded variant key (the Fabric face's variant ids) is a positive 63-bit integer, not a catalog id.
MAX_VARIANT_KEY = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
FILE_CODE_PREFIX = "file_"
_FILE_CODE = re.compile(r"file_[0-9a-f]{20}")
_SHOWN = 40


def shown(value: Any) -> str:
    """``value`` as an error message may quote it: repr'd and cut short (an int too long to print as
    digits is shown by its size)."""
    try:
        text = repr(value)
    except ValueError:  # an int of more than sys.get_int_max_str_digits() digits
        text = (
            f"<a number of {value.bit_length()} bits>"
            if isinstance(value, int)
            else f"<{type(value).__name__}>"
        )
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


def parse_variant_key(value: Any, what: str = "variant id") -> int:
    """``value`` as an encoded variant key (1 to 2**63 - 1, ASCII digits), or Invalid naming ``what``."""
    if isinstance(value, int) and not isinstance(value, bool):
        found: int | None = value
    else:
        found = ascii_int(value) if isinstance(value, str) else None
    if found is None or not 1 <= found <= MAX_VARIANT_KEY:
        raise Invalid(
            f"{what} {shown(value)} is not a valid variant id: use a whole number from 1 to "
            f"{MAX_VARIANT_KEY} written with the digits 0-9"
        )
    return found


def new_file_code() -> str:
    """A new file id: ``file_`` and 80 random bits in hex, unrelated to anything the client sent."""
    return FILE_CODE_PREFIX + secrets.token_hex(10)


def is_file_code(value: Any) -> bool:
    """Whether ``value`` is written as a file id the server makes (see :func:`new_file_code`)."""
    return isinstance(value, str) and _FILE_CODE.fullmatch(value) is not None
