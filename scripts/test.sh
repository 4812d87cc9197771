#!/usr/bin/env bash
# The test suite: installs what the tests need (a JDK and Maven if missing, Debian's chromium for the
# report page's browser test, util-linux's setsid), then builds and runs every module's tests.
#
# usage: scripts/test.sh [--unit] [MAVEN ARGUMENTS...]
#   with no argument  every test of every module, as CI runs it (.ci/run)
#   --unit            only the tests tagged "unit": no supervisor process, worker JVM, TensorFlow, Slurm
#                     or browser. Half a minute on 2 idle cores; nothing is packaged, no worker jar needed.
# Any further arguments go to Maven: -o (offline), -pl worker -am, -Dtest=ParentWatchTest, -Dgroups=e2e.
# Tags, timeouts and rerunning a chaos seed: docs/testing.md.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "${1:-}" = --unit ]; then
  shift
  "$home/scripts/ensure-package.sh" default-jdk-headless java maven mvn
  cd "$home"
  # test, not verify: the worker jar that the end-to-end tests launch is neither built nor needed
  exec mvn -B -ntp test -Dgroups=unit "$@"
fi

# python3 runs the test worker's memory mode; chromium the report page's browser test; tini the PID-1 test
"$home/scripts/ensure-package.sh" default-jdk-headless java maven mvn util-linux setsid python3 python3 \
  chromium /usr/bin/chromium tini tini python3-torch /usr/lib/python3/dist-packages/torch/__init__.py python3-sklearn /usr/lib/python3/dist-packages/sklearn/__init__.py

cd "$home"
# verify, not test: the supervisor's end-to-end tests launch the packaged worker jar
exec mvn -B -ntp verify "$@"
