#!/usr/bin/env bash
# The chaos test's worker: on its first two attempts, about a third of the replicates misbehave
# (hang, crash, leak memory, leave a detached grandchild, write a bad result); otherwise it succeeds
# after a short, varying time. The choice depends on the replicate, the attempt and CHAOS_SEED only,
# so a rerun of the same attempt behaves the same. Delegates to testworker.sh beside it.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
seed="${CHAOS_SEED:-1}"
h=$(( (ISOFOLD_REPLICATE * 2654435761 + ISOFOLD_ATTEMPT * 40503 + seed * 97) % 15 ))
sleep_s="0.$(( 2 + (ISOFOLD_REPLICATE * 7 + ISOFOLD_ATTEMPT) % 7 ))"
if [ "$ISOFOLD_ATTEMPT" -le 2 ]; then
  case "$h" in
    0) exec "$here/testworker.sh" hang ;;
    1) exec "$here/testworker.sh" crash ;;
    2) exec "$here/testworker.sh" memory 400 ;;
    3) exec "$here/testworker.sh" grandchild ;;
    4) exec "$here/testworker.sh" garbage ;;
  esac
fi
exec "$here/testworker.sh" ok "$sleep_s"
