#!/usr/bin/env bash
# The chaos test's worker: does what the plan file $CHAOS_PLAN (lines "REPLICATE ATTEMPT MODE", written by
# the test from its seed) says for this replicate and attempt, delegating to testworker.sh beside it; an
# attempt the plan does not name succeeds after a short time that varies with replicate and attempt. A
# rerun of the same attempt behaves the same.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
mode=$(awk -v r="$ISOFOLD_REPLICATE" -v a="$ISOFOLD_ATTEMPT" '$1 == r && $2 == a { print $3; exit }' "${CHAOS_PLAN:?}")
case "$mode" in
  hang | crash | grandchild | garbage) exec "$here/testworker.sh" "$mode" ;;
  memory) exec "$here/testworker.sh" memory 400 ;;
esac
exec "$here/testworker.sh" ok "0.$(( 2 + (ISOFOLD_REPLICATE * 7 + ISOFOLD_ATTEMPT) % 7 ))"
