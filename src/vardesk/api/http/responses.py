"""Response classes every face answers with."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

_OPTIONS = orjson.OPT_NON_STR_KEYS


class JSON(JSONResponse):
    """``application/json`` exactly, no charset suffix (pyopencga compares the header verbatim).

    The body is encoded by orjson: compact, UTF-8 (no ``\\u`` escapes), as the standard library's
    encoder with Starlette's options would write it. What orjson refuses (integers beyond 64 bits) is
    encoded by the standard library instead; a NaN or an infinity, which JSON cannot hold, is refused as
    Starlette refuses it (a ValueError, never a non-JSON body)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        try:
            body = orjson.dumps(content, option=_OPTIONS)
        except TypeError:
            return super().render(content)
        if b"null" in body and _has_non_finite(content):
            raise ValueError("Out of range float values are not JSON compliant")
        return body


def _has_non_finite(content: Any) -> bool:
    """Whether ``content`` holds a NaN or an infinity (orjson writes them as ``null``)."""
    stack = [content]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False
