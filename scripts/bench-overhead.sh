#!/usr/bin/env bash
# Supervisor overhead benchmark: N trivial attempts (a command that writes its result file and
# exits) on 4 fake GPU slots, through isofold and through GNU parallel (--jobs 4 --timeout --retries
# --joblog, GPU from the slot number), alternating, several rounds, each round every N. Prints each
# round with the machine's load, the medians, their ratio, and isofold's peak RSS (the supervisor JVM
# alone, from /usr/bin/time). With two or more N, also each tool's cost per attempt (the slope between
# the smallest and the largest N's medians) and its fixed cost (what is left at N = 0).
#
# usage: scripts/bench-overhead.sh [ROUNDS] [N...]     (defaults: 5 rounds, N = 200)
#   e.g. scripts/bench-overhead.sh 3 200 2000
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-5}
shift || true
sizes=("${@:-200}")
[ ${#sizes[@]} -gt 0 ] || sizes=(200)

"$home/scripts/ensure-package.sh" parallel parallel time /usr/bin/time

# build once through run.sh (it builds only when needed), so no round pays for it
"$home/scripts/run.sh" --help >/dev/null

work=$(mktemp -d /tmp/isofold-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
"$home/scripts/fake-gpus.sh" "$work/bin" 4
cat > "$work/trivial.sh" <<'WORKER'
#!/bin/sh
echo '{"metrics":{"val_accuracy":0.9}}' > "$1"
WORKER
chmod +x "$work/trivial.sh"
export PATH="$work/bin:$PATH"
unset CUDA_VISIBLE_DEVICES

now_ms() { date +%s%3N; }

run_isofold() { # TAG N
  local out="$work/iso-$1"
  local start end
  start=$(now_ms)
  /usr/bin/time -f '%M' -o "$work/rss-$1" "$home/scripts/run.sh" run --out "$out" --folds 5 --replicates "$2" \
    --gpus all --timeout 60s --max-attempts 3 -- "$work/trivial.sh" '{result}' >/dev/null 2>"$work/iso-$1.err" \
    || { echo "isofold failed, see below" >&2; cat "$work/iso-$1.err" >&2; exit 1; }
  end=$(now_ms)
  [ "$(($(wc -l < "$out/results.csv") - 1))" = "$2" ] || { echo "isofold: wrong row count" >&2; exit 1; }
  rm -rf "$out"
  echo $((end - start))
}

run_parallel() { # TAG N
  local out="$work/par-$1"
  local start end
  mkdir -p "$out"
  start=$(now_ms)
  # the slot number {%} picks the GPU, as a parallel user would write it
  seq 0 $(($2 - 1)) | parallel --jobs 4 --timeout 60 --retries 3 --joblog "$out/joblog" \
    "mkdir -p $out/{} && CUDA_VISIBLE_DEVICES=\$(({%} - 1)) $work/trivial.sh $out/{}/result.json"
  end=$(now_ms)
  [ "$(ls "$out" | grep -vc joblog)" = "$2" ] || { echo "parallel: wrong count" >&2; exit 1; }
  rm -rf "$out"
  echo $((end - start))
}

. "$home/scripts/bench-lib.sh"

echo "bench-overhead: ${sizes[*]} trivial attempts on 4 fake GPU slots, $rounds rounds, alternating; $(nproc) cores"
echo "load before: $(load)"
declare -A iso par rss
for r in $(seq 1 "$rounds"); do
  for n in "${sizes[@]}"; do
    tag="$r-$n"
    if [ $((r % 2)) = 1 ]; then i=$(run_isofold "$tag" "$n"); p=$(run_parallel "$tag" "$n"); else p=$(run_parallel "$tag" "$n"); i=$(run_isofold "$tag" "$n"); fi
    iso[$n]="${iso[$n]:-}$i "; par[$n]="${par[$n]:-}$p "; rss[$n]="${rss[$n]:-}$(cat "$work/rss-$tag") "
    printf 'round %d, %5d attempts: isofold %6d ms   parallel %6d ms   ratio %.2f   isofold peak RSS %d MB   load %s\n' \
      "$r" "$n" "$i" "$p" "$(awk -v a="$i" -v b="$p" 'BEGIN { print a / b }')" $(( $(cat "$work/rss-$tag") / 1024 )) "$(load)"
  done
done
for n in "${sizes[@]}"; do
  mi=$(median_of "${iso[$n]}")
  mp=$(median_of "${par[$n]}")
  mr=$(median_of "${rss[$n]}")
  printf '%5d attempts: median isofold %6s ms   median parallel %6s ms   ratio isofold/parallel %.2f   isofold peak RSS (median) %.0f MB\n' \
    "$n" "$mi" "$mp" "$(awk -v a="$mi" -v b="$mp" 'BEGIN { print a / b }')" "$(awk -v m="$mr" 'BEGIN { print m / 1024 }')"
  eval "mi_$n=$mi mp_$n=$mp"
done
if [ ${#sizes[@]} -ge 2 ]; then
  lo=$(printf '%s\n' "${sizes[@]}" | sort -n | head -1)
  hi=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)
  for tool in isofold parallel; do
    v=$([ $tool = isofold ] && echo mi || echo mp)
    a=$(eval echo "\$${v}_$lo"); b=$(eval echo "\$${v}_$hi")
    awk -v t=$tool -v a="$a" -v b="$b" -v lo="$lo" -v hi="$hi" \
      'BEGIN { s = (b - a) / (hi - lo); printf "%-8s per attempt %.2f ms (4 slots: %.1f ms of a slot), fixed %.0f ms\n", t, s, 4 * s, a - s * lo }'
  done
fi
echo "load after: $(load)"
