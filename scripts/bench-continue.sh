#!/usr/bin/env bash
# Training time lost per kill, with and without continuing from checkpoints, and a kill storm.
#
# Part 1: the built-in cnn (its defaults: 15 epochs at most, patience 3; fold 0 of 5 of the bundled
# data, 8,000 training images; TensorFlow's default threads) is killed KILLS times per case at a
# seeded-random moment 0 to MAX_DELAY seconds into an attempt's training, by SIGKILL and by SIGTERM,
# each way with continuing (the attempts share the replicate's checkpoint directory, as isofold's retries
# do) and without (an empty directory each time, as with --no-continue and as every retry was before).
# Each case draws the same moments. A kill's loss is the training clock the killed attempt had reached
# (the seconds since its training began, plus what it had restored) minus what the next attempt restored
# (the restored_seconds of its "continued" progress line; 0 when it starts over); the training lost is
# that less the killed attempt's start-up (graph, session, first step), lost with it only when it had
# saved no checkpoint yet. Also printed: the median epoch, and how long a SIGTERMed worker took to exit
# (the supervisor's kill grace is 10 s).
#
# Part 2: a kill storm: a tiny mlp (320 images, 40 batches an epoch, one TensorFlow thread) that
# checkpoints after every batch, SIGKILLed STORM_KILLS times at seeded moments between its saves (after
# 1 to 4 saves begun, then 0 to 14 ms), then run to its end; it fails unless every continuation loaded a
# whole checkpoint no earlier than the one before and the end equals the uninterrupted training's to 1e-6.
#
# Workers are the packaged jar (java -XX:TieredStopAtLevel=1 -jar worker/target/isofold-worker.jar), started
# directly, not through the supervisor; the driver is ContinueBench in the worker's test sources.
#
# usage: scripts/bench-continue.sh [KILLS] [MAX_DELAY_S] [STORM_KILLS] [SEED]   (defaults: 8 30 100 7)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kills=${1:-8}
max_delay=${2:-30}
storm=${3:-100}
seed=${4:-7}

(cd "$home" && mvn -B -ntp -o -q -pl worker -am package -DskipTests) # the jar, and the driver in the test classes

. "$home/scripts/bench-lib.sh"
work=$(mktemp -d /tmp/isofold-bench-continue.XXXXXX)
trap 'rm -rf "$work"' EXIT
unset CUDA_VISIBLE_DEVICES ISOFOLD_THREADS

echo "bench-continue: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; java $(java -version 2>&1 | head -1)"
echo "command: scripts/bench-continue.sh $kills $max_delay $storm $seed"
echo "load before: $(load)"
t0=$(date +%s)
cd "$home/worker" # the driver's test data helpers read data/fashion-mnist-10k from here
java -cp "target/test-classes:target/isofold-worker.jar:target/lib/*" io.isofold.worker.bench.ContinueBench \
  "$home/worker/target/isofold-worker.jar" "$work" "$kills" "$max_delay" "$storm" "$seed"
echo "load after: $(load); $(( $(date +%s) - t0 )) s in all"
