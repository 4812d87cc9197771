#!/usr/bin/env bash
# The test suite: installs what the tests need (a JDK and Maven if missing, Debian's chromium for the
# report page's browser test, util-linux's setsid), then builds and runs every module's tests.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# python3 runs the test worker's memory mode; chromium the report page's browser test; tini the PID-1 test
"$home/scripts/ensure-package.sh" default-jdk-headless java maven mvn util-linux setsid python3 python3 \
  chromium /usr/bin/chromium tini tini python3-torch /usr/lib/python3/dist-packages/torch/__init__.py python3-sklearn /usr/lib/python3/dist-packages/sklearn/__init__.py

cd "$home"
# verify, not test: the supervisor's end-to-end tests launch the packaged worker jar
exec mvn -B -ntp verify "$@"
