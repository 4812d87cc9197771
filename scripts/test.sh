#!/usr/bin/env bash
# The test suite: installs what the tests need (a JDK and Maven if missing, Debian's chromium for the
# report page's browser test, util-linux's setsid), then builds and runs every module's tests.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
command -v java >/dev/null || missing+=(default-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v setsid >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash "$home/scripts/install-chromium.sh"

cd "$home"
# verify, not test: the supervisor's end-to-end tests launch the packaged worker jar
exec mvn -B -ntp verify "$@"
