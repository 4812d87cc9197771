#!/usr/bin/env bash
# The real race: the same grid of built-in variants over the same folds, run twice one after the other on
# this machine, once in full and once with --race, same seed (so a variant's folds, initial weights and
# results are the same in both runs wherever both ran them). Prints, for each run: attempts, wall time,
# the best variant on the primary metric with its mean; then the race's eliminations, whether both runs
# chose the same winner, and the ratios race/full of attempts and of wall time. The machine's load is
# printed before, between and after.
#
# usage: scripts/bench-race-real.sh [VARIANTS_JSON] [FOLDS] [EPOCHS]
#        (defaults: docs/benchmarks/data/race-grid-variants.json, 10, 3)
# Takes about 10 minutes on 2 cores with the defaults (16 variants x 10 folds, then the race).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
variants=${1:-$home/docs/benchmarks/data/race-grid-variants.json}
folds=${2:-10}
epochs=${3:-3}

. "$home/scripts/bench-lib.sh"

"$home/scripts/run.sh" --version >/dev/null # build once, so neither run pays for it
work=$(mktemp -d /tmp/isofold-bench-race-real.XXXXXX)
trap 'rm -rf "$work"' EXIT

# one run; prints "attempts seconds best mean"
run_grid() {
  local name=$1; shift
  local start end
  start=$(date +%s)
  "$home/scripts/run.sh" run --gpus none --folds "$folds" --models "$variants" --epochs "$epochs" \
    --no-save-model --seed 42 --metric val_accuracy:max --out "$work/$name" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" \
    || { echo "the $name run failed:" >&2; tail -20 "$work/$name.err" >&2; exit 1; }
  end=$(date +%s)
  python3 - "$work/$name/summary.json" "$work/$name/journal.jsonl" "$((end - start))" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
attempts = sum(1 for line in open(sys.argv[2]) if json.loads(line).get("type") == "launch")
best = s["leaderboard"]["best"]
mean = s["models"][best]["metrics"]["val_accuracy"]["mean"]
print(attempts, sys.argv[3], best, "%.4f" % mean)
EOF
}

echo "bench-race-real: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; java $(java -version 2>&1 | head -1)"
echo "command: scripts/bench-race-real.sh ${1:-} ${2:-} ${3:-}"
echo "grid: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$variants") variants x $folds folds, $epochs epochs, CPU, seed 42"
echo "load before: $(load)"
read -r full_attempts full_s full_best full_mean < <(run_grid full)
echo "full grid:  $full_attempts attempts, $full_s s, best $full_best (val_accuracy $full_mean)"
echo "load between: $(load)"
read -r race_attempts race_s race_best race_mean < <(run_grid race --race)
echo "with --race: $race_attempts attempts, $race_s s, best $race_best (val_accuracy $race_mean)"
echo "load after: $(load)"
python3 - "$work/race/journal.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("type") == "eliminated":
        print("  eliminated %-24s after %s folds, p=%.4g vs %s" % (e.get("model"), e.get("after_folds"), e.get("p"), e.get("best")))
EOF
same=$([ "$full_best" = "$race_best" ] && echo yes || echo no)
echo "same winner: $same"
awk -v a="$race_attempts" -v b="$full_attempts" -v s="$race_s" -v t="$full_s" \
  'BEGIN { printf "race / full: attempts %.3f, wall time %.3f\n", a / b, s / t }'
