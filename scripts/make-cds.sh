#!/usr/bin/env bash
# Class-data sharing (CDS) archives for the supervisor's and the built-in worker's JVMs: the classes one
# small real run loads, parsed, verified and laid out once, so that a later JVM maps them from one file
# instead of reading, parsing and verifying them from the jars. Java 17: the run records its classes
# (-XX:DumpLoadedClassList), then -Xshare:dump writes a static archive. A static archive and not a dynamic
# one (-XX:ArchiveClassesAtExit): picocli's classes are Java 5 class files, which Java 17 archives only
# statically; a dynamic archive leaves them out, and they are a third of the supervisor's start.
#
# run.sh calls this after each build (and when an archive is missing or was made by another JVM). A run
# never needs the archives: the JVM ignores, without a word, one that does not match its jars or itself.
#
# usage: scripts/make-cds.sh [SUPERVISOR JVM OPTIONS...]
#   The options are those run.sh starts the supervisor with (an archive records some of them, the heap's
#   compressed pointers for one). Uses `java` from PATH, as run.sh does. Writes
#     supervisor/target/cds/supervisor.jsa   for scripts/run.sh
#     worker/target/cds/worker.jsa           for WorkerCommand.builtIn (the built-in worker's JVM)
#   and beside each a link `java` to the JVM binary that made it (an archive only works with that JVM),
#   and beside the supervisor's `java-feature`, that JVM's feature version (17 for 17.0.15), for run.sh.
#   Each archive is checked (-Xshare:on) before it replaces the old one: a truncated archive crashes a
#   Java 17 JVM instead of being ignored. Exit 0 when both were made, 1 otherwise; what went wrong is in
#   supervisor/target/cds/make.log.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
opts=("$@")

sup_jar=$home/supervisor/target/isofold-supervisor.jar
worker_jar=$home/worker/target/isofold-worker.jar
sup_cds=$home/supervisor/target/cds
worker_cds=$home/worker/target/cds
mkdir -p "$sup_cds" "$worker_cds"
log=$sup_cds/make.log
java_bin=$(readlink -f "$(command -v java)")

work=$(mktemp -d "$sup_cds/.make.XXXXXX")
trap 'rm -rf "$work"' EXIT
exec 3>"$log"
echo "make-cds.sh $(date -Is) with $java_bin" >&3

# One run of the supervisor with the built-in worker: 1 replicate of the default model, 1 epoch, on the
# CPU (a GPU's first use can mean minutes of kernel compilation; the classes are the same). Both JVMs
# record the classes they load. The supervisor's own options, as run.sh gives them.
worker_opts=""
[ -f "$worker_jar" ] && worker_opts="-XX:DumpLoadedClassList=$work/worker.lst"
if ! timeout 600 java "${opts[@]}" -XX:DumpLoadedClassList="$work/supervisor.lst" -Disofold.home="$home" \
    -jar "$sup_jar" run --out "$work/run" --folds 2 --replicates 1 --gpus none --epochs 1 --timeout 5m \
    --worker-jvm-opts "$worker_opts" >&3 2>&1; then
  echo "the recording run failed" >&3
fi

# dump LIST ARCHIVE JAR OPTIONS...: a static archive of LIST's classes for `-jar JAR`, checked, then in place
dump() {
  local list=$1 archive=$2 jar=$3
  shift 3
  [ -s "$list" ] || { echo "no class list $list" >&3; return 1; }
  local tmp
  tmp=$(mktemp "$(dirname "$archive")/.$(basename "$archive").XXXXXX")
  # the class path as the JVM will see it with -jar: the jar, then its manifest's Class-Path (lib/*.jar)
  java "$@" -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$tmp" -cp "$jar" >"$work/dump.out" 2>&1 \
    || { cat "$work/dump.out" >&3; echo "dump of $archive failed" >&3; rm -f "$tmp"; return 1; }
  grep -c 'warning' "$work/dump.out" | sed 's/$/ warnings (classes left out: lambdas, proxies, JFR events)/' >&3 || true
  # -Xshare:on refuses an archive it cannot map or that does not match the jars; -version loads no main class
  java "$@" -Xshare:on -XX:SharedArchiveFile="$tmp" -cp "$jar" -version >&3 2>&1 \
    || { echo "the new $archive does not load; not used" >&3; rm -f "$tmp"; return 1; }
  chmod a+r "$tmp"
  mv -f "$tmp" "$archive"
  ln -sfn "$java_bin" "$(dirname "$archive")/java"
  echo "made $archive ($(($(stat -c %s "$archive") / 1048576)) MB, $(grep -vc '^[#@]' "$list") classes listed)" >&3
}

status=0
feature=$(java -version 2>&1 | sed -n '1s/^[^"]*"\([0-9]*\).*/\1/p')
rm -f "$sup_cds/java-feature"
dump "$work/supervisor.lst" "$sup_cds/supervisor.jsa" "$sup_jar" "${opts[@]}" || status=1
echo "$feature" > "$sup_cds/java-feature"
if [ -f "$worker_jar" ]; then
  # the worker's default JVM options are none: WorkerCommand.builtIn adds its own before the user's
  dump "$work/worker.lst" "$worker_cds/worker.jsa" "$worker_jar" || status=1
fi
exit "$status"
