#!/usr/bin/env bash
# The eight end-to-end chains of contracts/fabric.md §12, run against a live Vardesk Fabric face.
#
#   EX=/path/to/omicia_api_examples PY2=/path/to/py27/bin/python PY3=/path/to/py3/bin/python \
#   FABRIC_API_URL=http://127.0.0.1:8000/fabric FABRIC_API_LOGIN=… FABRIC_API_PASSWORD=… \
#   bench/fabric_chains/run.sh [1 2 … 8]
#
# EX is a checkout of the public FabricGenomics/omicia_api_examples repository (not part of Vardesk).
# Each chain is sourced after the prelude in its own bash process, exactly as the contract writes it, and
# stops at its first failing command. Output of chain N goes to $OUT/chainN.log (OUT defaults to a new
# temporary directory); a summary line per chain is printed, and the exit status is the number of failed
# chains.
set -u
: "${EX:?set EX to a checkout of FabricGenomics/omicia_api_examples}"
: "${FABRIC_API_URL:?set FABRIC_API_URL, e.g. http://127.0.0.1:8000/fabric}"
: "${FABRIC_API_LOGIN:?set FABRIC_API_LOGIN (an API key login)}"
: "${FABRIC_API_PASSWORD:?set FABRIC_API_PASSWORD (the API key secret)}"
export EX FABRIC_API_URL FABRIC_API_LOGIN FABRIC_API_PASSWORD
export PY2="${PY2:-python2.7}" PY3="${PY3:-python3}"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
chains=("$@")
[ ${#chains[@]} -gt 0 ] || chains=(1 2 3 4 5 6 7 8)
failed=0
for n in "${chains[@]}"; do
  log="$OUT/chain$n.log"
  ( cd "$OUT" && bash -c 'source "$1/prelude.sh"; source "$1/chain$2.sh"' chain "$HERE" "$n" ) >"$log" 2>&1
  rc=$?
  [ $rc -eq 0 ] || failed=$((failed + 1))
  echo "chain$n exit=$rc log=$log"
  tail -n 5 "$log" | sed 's/^/    /'
done
exit $failed
