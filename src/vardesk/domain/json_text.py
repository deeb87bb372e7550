"""The one reader of untrusted JSON text (request bodies, imported documents): a document or :class:`Invalid`.

``json.loads`` alone lets other exceptions through — ``RecursionError`` on deeply nested arrays, a plain
``ValueError`` for an integer of more than 4300 digits — and accepts documents nested so deeply that the
code walking them (``repr``, protobuf parsing) overflows later. This reader turns all of these into
:class:`Invalid` with the reason and refuses nesting deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
from typing import Any

from vardesk.domain.errors import Invalid

MAX_DEPTH = 64


def parse_json(raw: str | bytes, what: str = "the request body") -> Any:
    """``raw`` (text, or bytes in UTF-8/16/32) as a JSON value; :class:`Invalid` naming ``what`` otherwise."""
    try:
        doc = json.loads(raw)
    except RecursionError:
        raise Invalid(f"{what} is JSON nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, the integer digit limit
        reason = str(exc).split("; use sys.set_int_max_str_digits")[0]
        raise Invalid(f"{what} is not valid JSON: {reason}") from None
    _check_depth(doc, what)
    return doc


def _check_depth(doc: Any, what: str) -> None:
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            raise Invalid(f"{what} is JSON nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in children)
