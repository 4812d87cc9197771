#!/usr/bin/env bash
# Supervisor overhead benchmark: 200 trivial attempts (a command that writes its result file and
# exits) on 4 fake GPU slots, through isofold and through GNU parallel (--jobs 4 --timeout --retries
# --joblog, GPU from the slot number), alternating, several rounds. Prints each round, the medians,
# their ratio, and isofold's peak RSS (the supervisor JVM alone, from /usr/bin/time).
#
# usage: scripts/bench-overhead.sh [ROUNDS] [ATTEMPTS]     (defaults: 5 rounds, 200 attempts)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-5}
attempts=${2:-200}

"$home/scripts/ensure-package.sh" parallel parallel time /usr/bin/time

# build once through run.sh (it builds only when needed), so no round pays for it
"$home/scripts/run.sh" --help >/dev/null

work=$(mktemp -d /tmp/isofold-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
cat > "$work/bin/nvidia-smi" <<'SMI'
#!/bin/sh
for i in 0 1 2 3; do echo "$i, Fake GPU, GPU-fake-$i, 81559"; done
SMI
cat > "$work/trivial.sh" <<'WORKER'
#!/bin/sh
echo '{"metrics":{"val_accuracy":0.9}}' > "$1"
WORKER
chmod +x "$work/bin/nvidia-smi" "$work/trivial.sh"
export PATH="$work/bin:$PATH"
unset CUDA_VISIBLE_DEVICES

now_ms() { date +%s%3N; }

run_isofold() {
  local out="$work/iso-$1"
  local start end
  start=$(now_ms)
  /usr/bin/time -f '%M' -o "$work/rss-$1" "$home/scripts/run.sh" run --out "$out" --folds 5 --replicates "$attempts" \
    --gpus all --timeout 60s --max-attempts 3 -- "$work/trivial.sh" '{result}' >/dev/null 2>"$work/iso-$1.err" \
    || { echo "isofold failed, see below" >&2; cat "$work/iso-$1.err" >&2; exit 1; }
  end=$(now_ms)
  [ "$(($(wc -l < "$out/results.csv") - 1))" = "$attempts" ] || { echo "isofold: wrong row count" >&2; exit 1; }
  echo $((end - start))
}

run_parallel() {
  local out="$work/par-$1"
  local start end
  mkdir -p "$out"
  start=$(now_ms)
  # the slot number {%} picks the GPU, as a parallel user would write it
  seq 0 $((attempts - 1)) | parallel --jobs 4 --timeout 60 --retries 3 --joblog "$out/joblog" \
    "mkdir -p $out/{} && CUDA_VISIBLE_DEVICES=\$(({%} - 1)) $work/trivial.sh $out/{}/result.json"
  end=$(now_ms)
  [ "$(ls "$out" | grep -vc joblog)" = "$attempts" ] || { echo "parallel: wrong count" >&2; exit 1; }
  echo $((end - start))
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "bench-overhead: $attempts trivial attempts on 4 fake GPU slots, $rounds rounds, alternating; $(nproc) cores"
iso=(); par=(); rss=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then i=$(run_isofold "$r"); p=$(run_parallel "$r"); else p=$(run_parallel "$r"); i=$(run_isofold "$r"); fi
  iso+=("$i"); par+=("$p"); rss+=("$(cat "$work/rss-$r")")
  printf 'round %d: isofold %6d ms   parallel %6d ms   isofold peak RSS %d MB\n' "$r" "$i" "$p" $(( $(cat "$work/rss-$r") / 1024 ))
done
mi=$(printf '%s\n' "${iso[@]}" | median)
mp=$(printf '%s\n' "${par[@]}" | median)
mr=$(printf '%s\n' "${rss[@]}" | median)
echo "median isofold:  $mi ms"
echo "median parallel: $mp ms"
awk -v a="$mi" -v b="$mp" 'BEGIN { printf "ratio isofold/parallel: %.2f\n", a / b }'
awk -v m="$mr" 'BEGIN { printf "isofold peak RSS (median): %.0f MB\n", m / 1024 }'
