#!/usr/bin/env bash
# The seed benchmark (issue 12): 100 small models (Dense(8) -> Dense(1), MSE, Adam, one training step and an
# evaluation) trained one after another, two ways:
#   - the loop users write: one JVM, one TensorFlow graph and session, never cleared;
#   - isofold: one fresh worker process per model (SeedCurve --one as a custom worker command), one CPU slot.
# Prints the seconds per model at models 1, 10, 50 and 100 and the ratio model 100 / model 1 of each series,
# the machine's load before and after, and draws the curves into an SVG.
#
# usage: scripts/bench-seed-curve.sh [MODELS] [SVG]      (defaults: 100, scripts/seed-curve.svg)
# Takes a few minutes on 2 cores. Both sides run on the CPU, so that they compare on any machine.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models=${1:-100}
svg=${2:-$home/scripts/seed-curve.svg}

# build once, so neither side pays for it: the drivers are in the worker's test classes, not in its jar
(cd "$home" && mvn -B -ntp -q -pl worker -am package -DskipTests)
cp="$home/worker/target/test-classes:$home/worker/target/isofold-worker.jar:$home/worker/target/lib/*"

work=$(mktemp -d /tmp/isofold-seed.XXXXXX)
trap 'rm -rf "$work"' EXIT
export CUDA_VISIBLE_DEVICES=""
export TF_CPP_MIN_LOG_LEVEL=2

echo "load before: $(uptime)"
start=$(date +%s)
java -cp "$cp" io.isofold.worker.bench.SeedCurve --loop "$models" >"$work/loop.csv" 2>"$work/loop.err" \
  || { echo "the loop failed:" >&2; tail -20 "$work/loop.err" >&2; exit 1; }
loop_s=$(($(date +%s) - start))

start=$(date +%s)
"$home/scripts/run.sh" run --out "$work/isofold" --gpus none --cpu-workers 1 --folds 2 --replicates "$models" \
  --timeout 5m -- java -cp "$cp" io.isofold.worker.bench.SeedCurve --one --result '{result}' \
  >"$work/isofold.out" 2>"$work/isofold.err" \
  || { echo "isofold failed:" >&2; tail -20 "$work/isofold.err" >&2; exit 1; }
isofold_s=$(($(date +%s) - start))
echo "load after:  $(uptime)"
echo "wall time: the loop ${loop_s} s in all, isofold ${isofold_s} s in all ($models models each)"

java -cp "$cp" io.isofold.worker.bench.SeedCurveReport "$work/loop.csv" "$work/isofold/results.csv" "$svg"
echo "graph operations after the loop's last model: $(tail -1 "$work/loop.csv" | cut -d, -f4)"
echo "chart: $svg"
