#!/usr/bin/env bash
# Entry point: builds the jars when they are missing or older than the sources, then runs the
# supervisor with the given arguments (`run` is the default subcommand). Works from any directory.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$home/scripts/ensure-package.sh" default-jdk-headless java maven mvn util-linux setsid

# a stamp written after each successful build: maven leaves a jar untouched when its content is
# unchanged, so jar times alone would ask for a rebuild every time
stamp="$home/supervisor/target/.isofold-built"
jars=("$home/supervisor/target/isofold-supervisor.jar" "$home/worker/target/isofold-worker.jar")
stale=0
for f in "$stamp" "${jars[@]}"; do
  [ -f "$f" ] || stale=1
done
if [ "$stale" = 0 ] && [ -n "$(find "$home/pom.xml" "$home/shared" "$home/worker" "$home/supervisor" \
      \( -path '*/target' -o -path '*/data' -o -path '*/src/test' \) -prune -o -type f -newer "$stamp" -print -quit)" ]; then
  stale=1
fi
if [ "$stale" = 1 ]; then
  echo "isofold: building (mvn package; the first build downloads TensorFlow, about 700 MB)..." >&2
  (cd "$home" && mvn -q -B -DskipTests ${ISOFOLD_MAVEN_ARGS:-} package) >&2
  touch "$stamp"
fi

# the supervisor is a small long-lived loop: a small heap, one compiler thread, no server compiler
# (peak RSS ~90 MB for 200 attempts, against ~145 MB with the JVM's defaults for a 256 MB heap)
exec java ${ISOFOLD_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss256k -Xmx128m \
  -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError} \
  -Disofold.home="$home" -jar "$home/supervisor/target/isofold-supervisor.jar" "$@"
