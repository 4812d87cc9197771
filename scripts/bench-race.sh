#!/usr/bin/env bash
# Race benchmark: how many fits does --race save, and does it still choose the full grid's winner? Reads a
# real grid's results.csv (by default the 16-variant mlp grid in docs/benchmarks/data/, 10 folds), takes
# each variant's mean and spread on the metric and the correlation of two variants' results on one fold,
# and replays RACES races of freshly drawn results per setting (burn-in/alpha) against the full grid of the
# same draw. It prints the mean, median and largest share of the full grid's fits that the race ran, and the
# share of races whose choice (the best finisher) is the full grid's winner or within one standard error of
# the winner's mean; first, the recorded run itself raced. The issue's goal: at most 50 % of the fits, and
# the winner or one within one standard error in at least 95 % of the races.
#
# The simulation is a class among the supervisor's test classes (no benchmark code ships in a jar).
#
# usage: scripts/bench-race.sh [RESULTS_CSV] [METRIC[:min|max]] [RACES] [BURN_IN/ALPHA ...]
#        (defaults: docs/benchmarks/data/race-grid-results.csv, val_accuracy:max, 2000, 3/0.01 3/0.05 3/0.1 5/0.05)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
csv=${1:-$home/docs/benchmarks/data/race-grid-results.csv}
metric=${2:-val_accuracy:max}
races=${3:-2000}
shift $(($# < 3 ? $# : 3))

. "$home/scripts/bench-lib.sh"

"$home/scripts/run.sh" --version >/dev/null # the supervisor jar, whose manifest names the libraries
(cd "$home" && mvn -B -ntp -q -Dstyle.color=never -pl supervisor -am test-compile ${ISOFOLD_MAVEN_ARGS:-}) 2>&1 \
  | sed -u 's/\x1b\[[0-9;]*m//g' >&2
target="$home/supervisor/target"

echo "bench-race: $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores, load before: $(load)"
java -cp "$target/test-classes:$target/classes:$target/isofold-supervisor.jar" \
  io.isofold.supervisor.race.RaceBenchmark "$csv" "$metric" "$races" "$@"
echo "load after: $(load)"
