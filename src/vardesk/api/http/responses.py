"""Response classes every face answers with."""

from __future__ import annotations

from starlette.responses import JSONResponse


class JSON(JSONResponse):
    """``application/json`` exactly, no charset suffix (pyopencga compares the header verbatim)."""

    media_type = "application/json"
