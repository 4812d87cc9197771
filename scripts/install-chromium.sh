#!/usr/bin/env bash
# Installs headless Chromium (Debian package "chromium") for the report's browser test, when it is missing.
# CI runs this before the tests; ReportBrowserTest fails with CI=true and no chromium, and is skipped elsewhere.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    echo "chromium present: $CHROMIUM"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-chromium.sh: chromium missing and not root (no sudo either)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium

if [ ! -x "$CHROMIUM" ]; then
    echo "install-chromium.sh: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "chromium installed: $CHROMIUM"
