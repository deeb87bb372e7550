"""Text lengths the catalog's columns hold, enforced before anything is written.

PostgreSQL refuses a value longer than its ``VARCHAR(n)`` with a database error (a 500) and SQLite
stores it silently, so the limits of ``catalog/tables.py`` are checked here, at every flush, for every
face and service: a 422 naming the field and its limit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from vardesk.domain.errors import Unprocessable

_CACHE: dict[type, list[tuple[str, str, int]]] = {}


def _limits(mapper: Any) -> list[tuple[str, str, int]]:
    """(attribute, column name, length) of every bounded text column of a mapped class."""
    cached = _CACHE.get(mapper.class_)
    if cached is None:
        cached = [
            (prop.key, prop.columns[0].name, prop.columns[0].type.length)
            for prop in mapper.column_attrs
            if isinstance(prop.columns[0].type, String) and prop.columns[0].type.length
        ]
        _CACHE[mapper.class_] = cached
    return cached


def check_lengths(session: Session, *_: Any) -> None:
    """Refuse a flush that would write text longer than its column holds (new rows and changed values)."""
    for obj, is_new in [*((o, True) for o in session.new), *((o, False) for o in session.dirty)]:
        state = inspect(obj)
        for key, column, length in _limits(state.mapper):
            if is_new:
                values = [getattr(obj, key, None)]
            else:
                values = list(state.attrs[key].history.added or ())
            for value in values:
                if isinstance(value, str) and len(value) > length:
                    raise Unprocessable(
                        f"{column} may be at most {length} characters long; got {len(value)}",
                        field=column,
                        limit=length,
                    )


def enforce_lengths(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    event.listen(factory, "before_flush", check_lengths)
    return factory
