#!/usr/bin/env bash
# Installs Debian packages with apt-get when what they provide is missing; does nothing otherwise.
#
# usage: scripts/ensure-package.sh PACKAGE WHAT [PACKAGE WHAT ...]
#   WHAT is a command looked up on PATH, or an absolute path of a file the package installs.
set -euo pipefail

missing=()
while [ $# -ge 2 ]; do
  package=$1 what=$2
  shift 2
  case "$what" in
    /*) [ -e "$what" ] || missing+=("$package") ;;
    *) command -v "$what" >/dev/null 2>&1 || missing+=("$package") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-package.sh: ${missing[*]} missing, and not root (no sudo either)" >&2; exit 1; }
  sudo=sudo
fi
echo "installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq "${missing[@]}" >&2
