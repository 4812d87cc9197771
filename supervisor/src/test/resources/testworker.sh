#!/usr/bin/env bash
# A stand-in worker for the supervisor's tests: records what it was given, then misbehaves as told.
#
# usage: testworker.sh MODE [SECONDS] [ANY ARGS...]
#   MODE     ok | env | hang | hang-ignore-term | grandchild | crash | signal | no-result | garbage | nan
#            | string-metric | bad-task | memory | stall | flaky (fails on attempt 1)
#            | hang-first (hangs on attempt 1, then ok: a run to interrupt and resume with the same spec)
#            | progressing (one progress line every 0.25 s for SECONDS, then ok)
#            | until FILE (one progress line every 0.25 s until FILE exists, then ok: a test's gate)
#            | crash-on-gpu GPU | device DEVICE | ok-stubborn-child | big-result MIB | forked-memory
#            | params-metric (rmse from the variant's ISOFOLD_PARAMS {"rmse": X}, plus r2 and a metric named gpu)
#            | standby-dies (as a standby, exits at once; otherwise ok)
#   SECONDS  for ok/env/flaky/progressing: how long to sleep before the result; for signal: SEGV or KILL; for memory: MiB
#
# Records, in $ISOFOLD_ATTEMPT_DIR:
#   testworker.argv   the argv after the script name, each argument followed by a NUL byte (exact bytes)
#   testworker.env    the environment, NUL-separated, as `env -0` prints it (exact bytes)
#   testworker.txt    key=value lines: pid, start_ms, cuda_set, mode, standby (1: it was handed its task as a
#                     standby), then end_ms when it finishes normally
# and appends "<attempt_dir> <pid> <start_ms>" to $TESTWORKER_STARTS when that is set.
#
# Every sleep is bounded, so a worker that a failing test leaves behind is gone within minutes.
set -u
ulimit -c 0 # the signal mode must not leave core files behind

mode="${1:-ok}"
arg="${2:-0}"
# --standby: started ahead of its task (README, "Standby workers"). Waits for the handoff file, then
# takes the attempt's variables from it and goes on as a worker started for the attempt would.
standby=0
if [ -n "${ISOFOLD_STANDBY:-}" ]; then
  if [ "$mode" = standby-dies ]; then
    echo "standby-dies: a worker that does not wait for its task" >&2
    exit 1
  fi
  for _ in $(seq 30000); do
    [ -f "$ISOFOLD_STANDBY" ] && break
    sleep 0.02
  done
  [ -f "$ISOFOLD_STANDBY" ] || exit 1
  eval "$(python3 -c 'import json, shlex, sys
for k, v in json.load(open(sys.argv[1]))["env"].items():
    print("export %s=%s" % (k, shlex.quote(v)))' "$ISOFOLD_STANDBY")"
  unset ISOFOLD_STANDBY
  standby=1
fi
dir="${ISOFOLD_ATTEMPT_DIR:?ISOFOLD_ATTEMPT_DIR is not set}"
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

printf '%s\0' "$@" >"$dir/testworker.argv"
env -0 >"$dir/testworker.env"
{
  echo "pid=$$"
  echo "start_ms=$(now_ms)"
  echo "cuda_set=${CUDA_VISIBLE_DEVICES+1}"
  echo "mode=$mode"
  echo "standby=$standby"
} >"$dir/testworker.txt.tmp"
# renamed into place whole, since a test may read it while the worker runs
mv "$dir/testworker.txt.tmp" "$dir/testworker.txt"
if [ -n "${TESTWORKER_STARTS:-}" ]; then
  echo "$dir $$ $(now_ms)" >>"$TESTWORKER_STARTS"
fi

progress() { echo "{\"epoch\":$1,\"loss\":0.5,\"val_loss\":0.6}" >>"$ISOFOLD_PROGRESS"; }
result() { printf '%s\n' "$1" >"$ISOFOLD_RESULT"; }
finish() { echo "end_ms=$(now_ms)" >>"$dir/testworker.txt"; exit "${1:-0}"; }
ok() {
  progress 1
  if [ "$arg" != 0 ]; then sleep "$arg"; fi
  result "{\"metrics\":{\"accuracy\":0.9$ISOFOLD_REPLICATE,\"loss\":0.25}}"
  finish 0
}

case "$mode" in
  ok | env | standby-dies) ok ;;
  flaky)
    if [ "$ISOFOLD_ATTEMPT" = 1 ]; then
      echo "flaky: failing on attempt 1" >&2
      finish 1
    fi
    ok
    ;;
  hang) sleep 300 ;;
  progressing)
    for ((i = 1; i <= arg * 4; i++)); do
      progress "$i"
      sleep 0.25
    done
    arg=0
    ok
    ;;
  until)
    # a worker that runs exactly as long as a test wants: until the test creates the file $arg (300 s at most)
    for _ in $(seq 1200); do
      [ -e "$arg" ] && break
      progress 1
      sleep 0.25
    done
    arg=0
    ok
    ;;
  hang-first)
    if [ "$ISOFOLD_ATTEMPT" = 1 ]; then sleep 300; fi
    ok
    ;;
  hang-ignore-term)
    # ignored signals stay ignored across exec, so the sleep ignores TERM as well
    trap '' TERM
    sleep 300
    ;;
  grandchild)
    # double fork plus a session of its own: the grandchild leaves the worker's tree and session
    (setsid bash -c 'trap "" TERM; echo $$ >"$ISOFOLD_ATTEMPT_DIR/grandchild.pid"; exec sleep 300' \
      </dev/null >/dev/null 2>&1 &)
    for _ in $(seq 100); do
      [ -s "$dir/grandchild.pid" ] && break
      sleep 0.05
    done
    ok
    ;;
  crash)
    echo "testworker: crashing on purpose" >&2
    finish 1
    ;;
  signal) kill -"${arg/#0/SEGV}" $$ ;;
  no-result) finish 0 ;;
  garbage) result "this is not JSON {" && finish 0 ;;
  nan) result '{"metrics":{"accuracy":NaN,"loss":0.25}}' && finish 0 ;;
  string-metric) result '{"metrics":{"accuracy":"0.9","loss":0.25}}' && finish 0 ;;
  bad-task)
    echo "testworker: the task names an unknown architecture" >&2
    finish 2
    ;;
  memory)
    # grows in 16 MiB steps, each one written to so it is resident, then holds it all
    mib="${arg/#0/300}"
    py=/usr/bin/python3
    [ -x "$py" ] || py=python3
    "$py" -c '
import sys, time
chunks = []
for _ in range(int(sys.argv[1]) // 16):
    chunks.append(bytearray(b"x") * (16 << 20))
    time.sleep(0.02)
time.sleep(300)
' "$mib"
    ;;
  stall)
    progress 1
    sleep 300
    ;;
  crash-on-gpu)
    # a GPU that fails fast: every attempt on GPU $arg dies at once, as after an illegal memory access
    if [ "$ISOFOLD_GPU" = "$arg" ]; then
      echo "testworker: CUDA error: an illegal memory access was encountered" >&2
      finish 1
    fi
    arg=0.3
    ok
    ;;
  device)
    # reports the device it computed on, as the built-in worker does: $arg is the device
    progress 1
    result "{\"metrics\":{\"accuracy\":0.9},\"device\":\"$arg\",\"cuda_missing\":[\"libcudart.so.12\",\"libcudnn.so.9\"]}"
    finish 0
    ;;
  ok-stubborn-child)
    # a valid result and exit 0, leaving a child that outlives SIGTERM: its clean-up takes the whole kill
    # grace. The child notes each SIGTERM in stubborn-child.term, which tells a test that the clean-up began.
    (trap 'echo TERM >>"$dir/stubborn-child.term"' TERM
      for _ in $(seq 6000); do sleep 0.05; done) </dev/null >/dev/null 2>&1 &
    arg=0
    ok
    ;;
  big-result)
    # metrics plus $arg MiB of per-sample predictions in the same file, and a per-batch heartbeat as large
    progress 1
    /usr/bin/python3 -c '
import json, sys
n = int(sys.argv[1]) << 20
preds = "[" + ",".join(["0.123456"] * (n // 9)) + "]"
with open(sys.argv[2], "w") as f:
    f.write("{\"predictions\":" + preds + ",\"metrics\":{\"accuracy\":0.875,\"loss\":0.5}}")
with open(sys.argv[3], "a") as f:
    line = json.dumps({"epoch": 1, "batch": 3, "batches": 9, "loss": 0.5, "seconds": 1.0}) + "\n"
    f.write(line * (n // len(line)))
' "$arg" "$ISOFOLD_RESULT" "$ISOFOLD_PROGRESS"
    finish 0
    ;;
  forked-memory)
    # a data-loader-like tree: ~150 MiB touched, then 4 forked children sharing it copy-on-write
    /usr/bin/python3 -c '
import os, sys, time
data = bytearray(b"x") * (150 << 20)
kids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        time.sleep(4)
        os._exit(0)
    kids.append(pid)
for k in kids:
    os.waitpid(k, 0)
with open(sys.argv[1], "w") as f:
    f.write("{\"metrics\":{\"accuracy\":0.9}}")
' "$ISOFOLD_RESULT"
    finish 0
    ;;
  params-metric)
    # a regression worker: rmse = the variant's "rmse" param + a little per fold, r2 = 1 - rmse, and a metric
    # named like the fixed column "gpu" (results.csv must not get two columns of that name)
    base=0.5
    if [[ "${ISOFOLD_PARAMS:-}" =~ \"rmse\":[[:space:]]*([0-9.]+) ]]; then base="${BASH_REMATCH[1]}"; fi
    rmse=$(awk -v b="$base" -v f="$ISOFOLD_FOLD" -v r="$ISOFOLD_REPLICATE" \
      'BEGIN { printf "%.4f", b + 0.01 * f + 0.003 * (r % 5) }')
    r2=$(awk -v e="$rmse" 'BEGIN { printf "%.4f", 1 - e }')
    progress 1
    result "{\"metrics\":{\"rmse\":$rmse,\"r2\":$r2,\"gpu\":7}}"
    finish 0
    ;;
  *)
    echo "testworker: unknown mode $mode" >&2
    exit 3
    ;;
esac
