#!/usr/bin/env bash
# Use as PY2 to run each Fabric FE2 script under Python 3 where it is Python 3 compatible (it parses, and
# uses none of the Python-2-only idioms listed below), else under Python 2.7:
#   PY2_REAL=/path/to/py27/bin/python PY3=/path/to/py3/bin/python PY2=bench/fabric_chains/either_python.sh run.sh
# Which interpreter ran each script is appended to $OUT/interpreters.log.
script=$1
if "$PY3" - "$script" <<'PY' 2>/dev/null; then
import ast, re, sys
src = open(sys.argv[1]).read()
ast.parse(src)
py2_only = (
    r"\.iter(items|keys|values)\(",  # dict iterators
    r"\bunicode\(|\bbasestring\b",
    r"open\([^)]*['\"]rU['\"]",  # universal-newline mode, gone in 3.11
    r"\burllib\.(urlencode|quote|unquote|urlopen)\b|\burllib2\b",
    r"gzip\.open\([^)]*['\"]rb['\"]\) as \w+:\s+\w+ = (csv\.)?(Dict)?[Rr]eader\(",  # csv over bytes
)
sys.exit(1 if any(re.search(p, src) for p in py2_only) else 0)
PY
  echo "python3 $(basename "$script")" >> "${OUT:-/tmp}/interpreters.log"
  exec "$PY3" "$@"
fi
echo "python2 $(basename "$script")" >> "${OUT:-/tmp}/interpreters.log"
exec "$PY2_REAL" "$@"
