#!/usr/bin/env bash
# Entry point: builds the jars when they are missing or older than the sources, then runs the
# supervisor with the given arguments (`run` is the default subcommand). Works from any directory.
set -euo pipefail
# This runs before every run: no process is started here that need not be (a fork and an exec cost 5 to
# 50 ms on a busy machine). Hence no dirname, and the checks of ensure-package.sh and ensure-cuda.sh
# made here, with bash builtins, before either script is started.
script=${BASH_SOURCE[0]}
[[ "$script" == */* ]] || script=./$script
home="$(cd "${script%/*}/.." && pwd)"

if ! command -v java >/dev/null || ! command -v mvn >/dev/null || ! command -v setsid >/dev/null; then
  "$home/scripts/ensure-package.sh" default-jdk-headless java maven mvn util-linux setsid
fi

# the supervisor is a small long-lived loop: a small heap, one compiler thread, no server compiler.
# Its memory is bounded by design (a few hundred bytes per finished attempt, worker files streamed):
# live data is ~15 MB at 20,000 attempts. The heap may grow to 128 MB (a 100,000-attempt journal's
# report), but a 16 MB young generation and a heap that shrinks after collections keep what is
# resident near what is live, instead of the whole 128 MB committed by garbage churn. Should it run
# out all the same, it says so in one line and leaves a resumable run.
supervisor_opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss256k
  -Xms24m -Xmn16m -Xmx128m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30
  -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData)
start_opts=()

# ISOFOLD_CLASSPATH (the test suite's): run these classes as they are, no build, no jar, no archive
if [ -z "${ISOFOLD_CLASSPATH:-}" ]; then
  # a stamp written after each successful build: maven leaves a jar untouched when its content is
  # unchanged, so jar times alone would ask for a rebuild every time
  stamp="$home/supervisor/target/.isofold-built"
  jars=("$home/supervisor/target/isofold-supervisor.jar" "$home/worker/target/isofold-worker.jar")
  stale=0
  for f in "$stamp" "${jars[@]}"; do
    [ -f "$f" ] || stale=1
  done
  # What the build reads: the POMs and src/main (tests are not built here; worker/data is read at run
  # time). Bash's own globbing and -nt, no find: a fork and exec cost 5 to 50 ms on a busy machine, and
  # this runs at every start. Files only, not dot files: an editor's swap file coming and going changes
  # its folder's time, and a deleted source needs a clean build anyway (its class stays in target/).
  if [ "$stale" = 0 ]; then
    shopt -s globstar nullglob
    for f in "$home"/pom.xml "$home"/{shared,worker,supervisor}/pom.xml "$home"/{shared,worker,supervisor}/src/main/**; do
      if [ "$f" -nt "$stamp" ] && [ -f "$f" ]; then
        stale=1
        break
      fi
    done
    shopt -u globstar nullglob
  fi
  if [ "$stale" = 1 ]; then
    echo "isofold: building (mvn package; the first build downloads TensorFlow, about 700 MB)..." >&2
    # Maven's console library writes colour resets even in batch mode: strip them, a log or a terminal
    # that does not take them shows them raw
    (cd "$home" && mvn -q -B -Dstyle.color=never -DskipTests ${ISOFOLD_MAVEN_ARGS:-} package) 2>&1 \
      | sed -u 's/\x1b\[[0-9;]*m//g' >&2
    touch "$stamp"
  fi
  main=(-jar "$home/supervisor/target/isofold-supervisor.jar")

  # Class-data sharing: the supervisor's and the worker's classes, parsed and verified once per build
  # into */target/cds/ (scripts/make-cds.sh), mapped by every later JVM. A run never depends on them:
  # the JVM ignores, silently, an archive that does not match its jars or itself. They are made again
  # after a build, or when the JVM on PATH is not the one that made them; not again after a failure
  # until the next build. ISOFOLD_CDS=off neither makes nor uses them.
  if [ "${ISOFOLD_CDS:-on}" != off ]; then
    cds="$home/supervisor/target/cds"
    # the path of `java` as `command -v java` would print it, from bash's own table of commands: no
    # command substitution, which forks
    hash java 2>/dev/null || true
    java_on_path=${BASH_CMDS[java]:-}
    # an archive is current when made after the last build and after its jar (a jar the JVM finds
    # changed makes it ignore the archive), by the JVM on PATH
    if { ! [ "$cds/supervisor.jsa" -nt "$stamp" ] || ! [ "$cds/supervisor.jsa" -nt "${jars[0]}" ] \
          || ! [ "$home/worker/target/cds/worker.jsa" -nt "${jars[1]}" ] || ! [ "$java_on_path" -ef "$cds/java" ]; } \
        && ! [ "$cds/failed" -nt "$stamp" ] && [ -w "$home/supervisor/target" ]; then
      echo "isofold: making class-data archives for faster JVM starts (once per build, 10 to 30 s)..." >&2
      if ! "$home/scripts/make-cds.sh" "${supervisor_opts[@]}"; then
        mkdir -p "$cds" && touch "$cds/failed" || true
        echo "isofold: could not make them all (see $cds/make.log); running without what is missing" >&2
      fi
    fi
    if [ "$cds/supervisor.jsa" -nt "$stamp" ] && [ "$cds/supervisor.jsa" -nt "${jars[0]}" ] \
        && [ "$java_on_path" -ef "$cds/java" ]; then
      # -Xlog: no word on the console when the JVM does not take the archive
      start_opts=(-XX:SharedArchiveFile="$cds/supervisor.jsa" -Xshare:auto -Xlog:cds=off -Xlog:class+path=off)
      # Starting a worker the JDK's default way (POSIX_SPAWN) execs a helper, jspawnhelper, which then
      # execs the worker, and the run loop waits for both: 8.5 ms per launch here under load, 2.8 ms
      # with VFORK (one exec; Linux's default up to JDK 11). 400 trivial attempts: 14.6 s against
      # 17.3 s. Only on JDKs known to take it without a word (newer ones deprecate it); the version is
      # the one make-cds.sh recorded for this same JVM, read without starting a process.
      feature=""
      [ -r "$cds/java-feature" ] && read -r feature < "$cds/java-feature" || true
      case "$feature" in
        17 | 18 | 19 | 20 | 21) start_opts+=(-Djdk.lang.Process.launchMechanism=VFORK) ;;
      esac
    fi
  fi
else
  main=(-cp "$ISOFOLD_CLASSPATH" io.isofold.supervisor.cli.IsofoldCommand)
fi

# Whether this command runs the built-in worker (or checks for it): a worker command brings its own CUDA
# (a PyTorch wheel bundles it), and status, report and gpus start no worker at all.
builtin_worker() {
  local a
  for a in "$@"; do
    [ "$a" = -- ] && return 1
  done
  case "${1:-run}" in
    status | report | gpus | help | -h | --help | -V | --version) return 1 ;;
    resume)
      # a resumed run keeps its worker: the built-in one when run.json's command is empty
      [ -n "${2:-}" ] && [ -r "$2/run.json" ] || return 1
      tr -d '\n' <"$2/run.json" | grep -q '"command" *: *\[ *\]'
      ;;
    *) return 0 ;;
  esac
}

# CUDA 12 / cuDNN 9 for the built-in worker, fetched once where the NVIDIA driver is there and they are
# missing. Without /dev/nvidiactl (no NVIDIA driver loaded) ensure-cuda.sh would print nothing: not started then.
# (The two variables only let the tests stand in for a driver and for the fetch.)
ensure_cuda=${ISOFOLD_ENSURE_CUDA:-$home/scripts/ensure-cuda.sh}
if [ -z "${ISOFOLD_CUDA_LIB:-}" ] && [ -e "${ISOFOLD_NVIDIACTL:-/dev/nvidiactl}" ] && [ -x "$ensure_cuda" ] \
    && builtin_worker "$@"; then
  cuda_lib="$("$ensure_cuda" || true)"
  [ -n "$cuda_lib" ] && export ISOFOLD_CUDA_LIB="$cuda_lib"
fi

# As PID 1 (a container's entry point) the supervisor would be the parent of every orphan, and a JVM
# reaps only the children it started: killed leftovers would stay zombies until the pid limit. tini
# reaps them and passes signals on.
reaper=()
if [ "$$" = 1 ]; then
  "$home/scripts/ensure-package.sh" tini tini
  reaper=(tini -s --)
fi

exec "${reaper[@]}" java "${start_opts[@]}" ${ISOFOLD_JAVA_OPTS:-"${supervisor_opts[@]}"} \
  -Disofold.home="$home" "${main[@]}" "$@"
