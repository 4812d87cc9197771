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
#            | race-metric (val_accuracy = the variant's ISOFOLD_PARAMS "mean" + a fold effect all variants share
#              + seeded noise of sd "noise" (default 0.005); the same for the same variant and fold, every
#              attempt; "seconds" to sleep first; plus a metric "constant", always 1)
#            | params-metric (rmse from the variant's ISOFOLD_PARAMS {"rmse": X}, plus r2 and a metric named gpu)
#            | standby-dies (as a standby, exits at once; otherwise ok)
#            | ignore-standby (as a standby, runs the task in ISOFOLD_TASK at once instead of waiting for its
#              own: writes that task's progress, then its result after SECONDS; started for an attempt, waits
#              until such a standby has written its progress, then ok)
#            | many-metrics N (a result with N metrics, named m0000000 up)
#            | hostile-stderr | hostile-metrics | hostile-nan (text that drives a terminal, in stderr or metric names)
#            | ckpt-flaky (records what ISOFOLD_CHECKPOINT_DIR held as "checkpoint=" in testworker.txt, writes a
#              checkpoint file there, fails on attempt 1)
#            | ckpt-poison (a worker that crashes whenever its checkpoint directory holds anything, leaving it
#              as it was; with an empty one it writes a checkpoint, and fails on attempt 1 only)
#            | ckpt-preempted (records what ISOFOLD_CHECKPOINT_DIR held as "checkpoint=" in testworker.txt; on
#              attempt 1 writes a checkpoint file "state" there and hangs, and on SIGTERM saves one more, "on-term",
#              and exits 143; later attempts ok)
#            | hang-stubborn-child (hangs, and dies of SIGTERM; its child ignores SIGTERM and holds a kill for the
#              whole grace)
#            | spew MIB (writes MIB MiB to stdout and a quarter of that to stderr as fast as it can, each ending
#              with the line "last line of <stream> <attempt_dir>", then ok)
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
# --standby: started ahead of its task (docs/standby.md). Waits for the handoff file, then
# takes the attempt's variables from it and goes on as a worker started for the attempt would.
standby=0
if [ -n "${ISOFOLD_STANDBY:-}" ]; then
  if [ "$mode" = standby-dies ]; then
    echo "standby-dies: a worker that does not wait for its task" >&2
    exit 1
  fi
  if [ "$mode" = ignore-standby ]; then
    eval "$(python3 -c 'import json, shlex, sys
t = json.load(open(sys.argv[1]))
print("p=%s r=%s" % (shlex.quote(t["progress_file"]), shlex.quote(t["result_file"])))' "$ISOFOLD_TASK")"
    echo '{"epoch":1,"loss":0.5}' >>"$p"
    sleep "$arg"
    echo '{"metrics":{"accuracy":0.5}}' >"$r"
    exit 0
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
  ignore-standby)
    # the slot frees only once the standby started beside this attempt has shown it ignores the protocol
    # (once: after that, standbys are off)
    out="$(cd "$dir/../../.." && pwd)"
    for _ in $(seq 3000); do
      [ -e "$out/.standby-seen" ] && break
      compgen -G "$out/standby/*/progress.jsonl" >/dev/null && touch "$out/.standby-seen" && break
      sleep 0.02
    done
    arg=0
    ok
    ;;
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
    # a data-loader-like tree: ~100 MiB touched, then 4 forked children sharing it copy-on-write: 5 x 110 MiB
    # resident, ~150 MiB proportional; a sample taken while the forks go on may count a process's share before
    # and another's after a fork, up to ~280 MiB, still well under the test's 400m
    /usr/bin/python3 -c '
import os, sys, time
data = bytearray(b"x") * (100 << 20)
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
    # LC_ALL=C: JSON numbers have a decimal point, whatever locale the tests run under
    rmse=$(LC_ALL=C awk -v b="$base" -v f="$ISOFOLD_FOLD" -v r="$ISOFOLD_REPLICATE" \
      'BEGIN { printf "%.4f", b + 0.01 * f + 0.003 * (r % 5) }')
    r2=$(LC_ALL=C awk -v e="$rmse" 'BEGIN { printf "%.4f", 1 - e }')
    progress 1
    result "{\"metrics\":{\"rmse\":$rmse,\"r2\":$r2,\"gpu\":7}}"
    finish 0
    ;;
  race-metric)
    # a known mean per variant plus noise seeded by variant and fold (cksum of their names): racing's tests
    # know which variant is best, and every run of a test draws the same numbers
    mean=0.5 noise=0.005 seconds=0
    if [[ "${ISOFOLD_PARAMS:-}" =~ \"mean\":[[:space:]]*([0-9.]+) ]]; then mean="${BASH_REMATCH[1]}"; fi
    if [[ "${ISOFOLD_PARAMS:-}" =~ \"noise\":[[:space:]]*([0-9.]+) ]]; then noise="${BASH_REMATCH[1]}"; fi
    if [[ "${ISOFOLD_PARAMS:-}" =~ \"seconds\":[[:space:]]*([0-9.]+) ]]; then seconds="${BASH_REMATCH[1]}"; fi
    fold_seed=$(printf 'fold/%s/%s' "$ISOFOLD_FOLD" "$ISOFOLD_SHUFFLE" | cksum | cut -d' ' -f1)
    own_seed=$(printf '%s/%s/%s' "$ISOFOLD_MODEL" "$ISOFOLD_FOLD" "$ISOFOLD_SHUFFLE" | cksum | cut -d' ' -f1)
    acc=$(awk -v m="$mean" -v s="$noise" -v a="$fold_seed" -v b="$own_seed" '
      function z(seed) { srand(seed % 2147483647); u = rand(); v = rand(); return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v) }
      BEGIN { printf "%.6f", m + 0.02 * z(a) + s * z(b) }')
    progress 1
    if [ "$seconds" != 0 ]; then sleep "$seconds"; fi
    result "{\"metrics\":{\"val_accuracy\":$acc,\"constant\":1}}"
    finish 0
    ;;
  hostile-stderr)
    # a bad task whose stderr drives a terminal: clears the screen, sets the window title, returns to the
    # start of the line to print a fake end of run; a C1 CSI (U+009B) and a right-to-left override (U+202E)
    printf 'loading the task\n\033[2J\033[H\033]0;pwned\007\r\033[Kisofold: run complete, 10/10\n\302\23331m \342\200\256gnp.exe\n' >&2
    finish 2
    ;;
  hostile-metrics)
    # metric names that drive a terminal (a title, a cleared screen, a new line, a right-to-left override)
    progress 1
    result '{"metrics":{"accuracy":0.9,"\u001b]0;pwned\u0007\u001b[2Jloss":0.25,"f1\nrun complete, 10/10":0.5,"\u202eevil":0.1}}'
    finish 0
    ;;
  hostile-nan)
    # a failure whose reason quotes a metric's name with an escape sequence in it
    result '{"metrics":{"\u001b[2J\u001b[31mred":NaN}}'
    finish 0
    ;;
  many-metrics)
    # $arg metrics, m0000000 up, as per-class accuracies are: ImageNet's 1,000 classes, or far more
    progress 1
    /usr/bin/python3 -c '
import sys
n, r = int(sys.argv[1]), int(sys.argv[3])
with open(sys.argv[2], "w") as f:
    f.write("{\"metrics\":{" + ",".join("\"m%07d\":%d.%03d" % (i, r % 2, i % 1000) for i in range(n)) + "}}")
' "$arg" "$ISOFOLD_RESULT" "$ISOFOLD_REPLICATE"
    finish 0
    ;;
  spew)
    head -c $((arg << 20)) /dev/zero | tr '\0' 'x' | fold -w 1023
    printf '\nlast line of stdout %s\n' "$dir"
    head -c $((arg << 18)) /dev/zero | tr '\0' 'y' | fold -w 1023 >&2
    printf '\nlast line of stderr %s\n' "$dir" >&2
    arg=0
    ok
    ;;
  hang-stubborn-child)
    (trap '' TERM; exec sleep 300) </dev/null >/dev/null 2>&1 &
    progress 1
    sleep 300
    ;;
  ckpt-flaky)
    echo "checkpoint=$(ls -A "$ISOFOLD_CHECKPOINT_DIR" | tr '\n' ' ')" >>"$dir/testworker.txt"
    echo "attempt $ISOFOLD_ATTEMPT" >"$ISOFOLD_CHECKPOINT_DIR/state"
    if [ "$ISOFOLD_ATTEMPT" = 1 ]; then
      echo "ckpt-flaky: failing on attempt 1" >&2
      finish 1
    fi
    ok
    ;;
  ckpt-preempted)
    echo "checkpoint=$(ls -A "$ISOFOLD_CHECKPOINT_DIR" | tr '\n' ' ')" >>"$dir/testworker.txt"
    if [ "$ISOFOLD_ATTEMPT" = 1 ]; then
      trap 'echo saved >"$ISOFOLD_CHECKPOINT_DIR/on-term"; exit 143' TERM
      echo "attempt 1" >"$ISOFOLD_CHECKPOINT_DIR/state"
      progress 1
      sleep 300 &
      wait $!
    fi
    ok
    ;;
  ckpt-poison)
    if [ -n "$(ls -A "$ISOFOLD_CHECKPOINT_DIR")" ]; then
      echo "ckpt-poison: cannot load the checkpoint" >&2
      finish 1
    fi
    echo "attempt $ISOFOLD_ATTEMPT" >"$ISOFOLD_CHECKPOINT_DIR/state"
    if [ "$ISOFOLD_ATTEMPT" = 1 ]; then
      echo "ckpt-poison: failing after the first checkpoint" >&2
      finish 1
    fi
    ok
    ;;
  *)
    echo "testworker: unknown mode $mode" >&2
    exit 3
    ;;
esac
