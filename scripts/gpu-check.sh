#!/usr/bin/env bash
# For a machine with GPUs: does isofold really train on each of them?
#
# usage: scripts/gpu-check.sh [OUT_DIR]
#
# Runs `doctor`, then a 1-epoch job of the built-in worker with one replicate per GPU slot (`--gpus
# all`: every visible GPU, or MIG device), and prints per attempt the GPU slot, the device TensorFlow
# computed on (result.json's "device"), the seconds to its first training step (progress.jsonl's
# first "training" phase line; n/a from a worker that writes no phases) and the seconds of its epoch
# (which include that first step and any kernel compile). Exit 1 if doctor finds a problem, the job
# does not complete, or any slot computed on the CPU.
set -uo pipefail
# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="$home/scripts/run.sh"
out="${1:-$home/runs/gpu-check-$(date +%Y%m%d-%H%M%S)}"
status=0

echo "== doctor"
"$run" doctor || status=1

# the slots `--gpus all` uses: the GPU and MIG lines of `gpus` that are neither hidden nor in MIG mode
slots=$("$run" gpus | grep -E '^[0-9]+  |^   [0-9]+:mig' | grep -cv -e 'hidden by' -e 'MIG mode')
if [ "$slots" = 0 ]; then
  echo "gpu-check: no GPU found, nothing to check" >&2
  exit 1
fi

echo "== a 1-epoch job on each of the $slots GPU slot(s), in $out"
extra=()
# a run stops at the first slot that computed on the CPU; this check wants to see every slot
if "$run" run --help | grep -q -- --allow-cpu-fallback; then extra=(--allow-cpu-fallback); fi
"$run" run --out "$out" --gpus all --replicates "$slots" --epochs 1 --no-save-model "${extra[@]}" || status=1

echo "== per attempt"
printf '%-10s %-40s %14s %10s\n' gpu device first_step_s epoch_s
while read -r launch; do
  gpu=$(sed -n 's/.*"gpu":"\([^"]*\)".*/\1/p' <<<"$launch")
  dir=$(sed -n 's/.*"attempt_dir":"\([^"]*\)".*/\1/p' <<<"$launch")
  device=$(sed -n 's/.*"device" *: *"\([^"]*\)".*/\1/p' "$dir/result.json" 2>/dev/null | head -1)
  first=$(grep -s '"phase":"training"' "$dir/progress.jsonl" | head -1 | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p')
  epoch=$(grep -s '"epoch":1,' "$dir/progress.jsonl" | grep -v '"batch":[0-9]' | head -1 \
    | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p')
  [ -n "$first" ] && first=$(printf '%.1f' "$first")
  [ -n "$epoch" ] && epoch=$(printf '%.1f' "$epoch")
  printf '%-10s %-40s %14s %10s\n' "$gpu" "${device:-no result}" "${first:-n/a}" "${epoch:-n/a}"
  case "$device" in
    GPU*) ;;
    *) echo "gpu-check: GPU $gpu computed on ${device:-nothing}; see $dir/stderr.log" >&2; status=1 ;;
  esac
done < <(grep '"type":"launch"' "$out/journal.jsonl" 2>/dev/null | sort -u)

[ "$status" = 0 ] && echo "gpu-check: every GPU slot trained on its GPU" || echo "gpu-check: FAILED" >&2
exit "$status"
