#!/usr/bin/env bash
# Brings CUDA 12.6 + cuDNN 9.5 for TensorFlow Java 1.1.0 (TF 2.18) onto a machine that has only the NVIDIA
# driver: fetched once from Maven Central (org.bytedeco:cuda redist, 2.0 GB download, 2.6 GB unpacked) and
# unpacked into ${ISOFOLD_CUDA_HOME:-$HOME/.cache/isofold/cuda-12.6-9.5}/lib.
#
# usage: scripts/ensure-cuda.sh [--force]
#   Prints the lib folder on stdout when the workers need it on LD_LIBRARY_PATH (the supervisor passes it
#   to them through ISOFOLD_CUDA_LIB); prints nothing, exit 0, when it is not needed: no working NVIDIA
#   driver here (CPU machine, CI, a fake nvidia-smi), or the loader already finds every CUDA library
#   (a system CUDA 12 + cuDNN 9, or one on LD_LIBRARY_PATH).
#   --force  skip the driver check (to fetch and check the libraries on a machine without a GPU)
# Exit 1 with one line on stderr when the libraries are needed and cannot be had. Messages go to stderr.
set -euo pipefail

readonly ARTIFACT=org.bytedeco:cuda:12.6-9.5-1.5.11:jar:linux-x86_64-redist
readonly JAR_PATH=org/bytedeco/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64-redist.jar
readonly JAR_LIBS=org/bytedeco/cuda/linux-x86_64
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
# the list the worker and `doctor` use too: what TF 2.18 opens (tf), what those open in turn (part), and the
# driver's libcuda.so.1, which is never fetched
readonly LIST="$(dirname "$0")/../shared/src/main/resources/io/isofold/shared/cuda-libraries.txt"
mapfile -t SONAMES < <(awk '!/^#/ && ($2 == "tf" || $2 == "part") { print $1 }' "$LIST")
mapfile -t TF_OPENS < <(awk '!/^#/ && $2 == "tf" { print $1 }' "$LIST")
readonly SONAMES TF_OPENS
if [ ${#SONAMES[@]} -eq 0 ]; then
  echo "ensure-cuda: no library list in $LIST" >&2
  exit 1
fi
# what is unpacked: those, NVRTC (cuDNN's runtime-compiled engines use it), CUPTI (TF's profiler) and NCCL
# (collectives); the jar's NPP, nvJPEG, nvCOMP, cuSOLVERMg, nvBLAS (0.5 GB) are of no use to TF
readonly UNPACK=(libcudart.so libcublas libcufft.so libcusolver.so libcusparse.so libnvJitLink.so libcurand.so
  libcudnn libnvrtc libcupti.so libnccl.so)
# download plus the unpacked libraries, with room to spare
readonly NEED_MB=5000

force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  *) echo "usage: scripts/ensure-cuda.sh [--force]" >&2; exit 2 ;;
esac

home=${ISOFOLD_CUDA_HOME:-$HOME/.cache/isofold/cuda-12.6-9.5}
lib=$home/lib
say() { echo "ensure-cuda: $*" >&2; }

# ldconfig is in /sbin, often not on a user's PATH; a hung one must not hang the run
ldcache() { timeout 5 "$(command -v ldconfig || echo /sbin/ldconfig)" -p 2>/dev/null || true; }

# is SONAME where the dynamic loader looks: LD_LIBRARY_PATH, the ld.so cache, the default folders?
findable() {
  local soname=$1 dir
  local IFS=:
  for dir in ${LD_LIBRARY_PATH:-}; do
    [ -f "${dir:-.}/$soname" ] && return 0
  done
  grep -q "^[[:space:]]*$soname (.*x86-64" <<<"$cache" && return 0
  for dir in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 /lib /usr/lib; do
    [ -f "$dir/$soname" ] && return 0
  done
  return 1
}

# the driver is there when its libcuda.so.1 loads and initialises; a fake nvidia-smi brings no libcuda
driver_works() {
  if command -v python3 >/dev/null 2>&1; then
    timeout 30 python3 -c '
import ctypes, sys
try:
    cuda = ctypes.CDLL("libcuda.so.1")
except OSError as e:
    sys.exit("libcuda.so.1 does not load: %s" % e)
status = cuda.cuInit(0)
sys.exit(0 if status == 0 else "cuInit failed with CUDA error %d" % status)' 2>/dev/null
  else
    # no python3: the driver's library must be findable and its control device there
    findable libcuda.so.1 && [ -c /dev/nvidiactl ]
  fi
}

complete() {
  local s
  for s in "${SONAMES[@]}"; do
    [ -f "$1/$s" ] || return 1
  done
}

if [ "$(uname -m)" != x86_64 ]; then
  exit 0 # the redist jar and TF Java's GPU library are for x86-64 Linux only
fi
if [ "$force" -eq 0 ] && [ ! -e /dev/nvidiactl ]; then
  exit 0 # no NVIDIA driver loaded: nothing to check, and every start of run.sh saves ~0.4 s
fi
cache=$(ldcache)

if [ "$force" -eq 0 ] && ! driver_works; then
  exit 0 # no usable NVIDIA driver: TF computes on the CPU whatever we fetch
fi

missing=()
for s in "${TF_OPENS[@]}"; do
  findable "$s" || missing+=("$s")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0 # a CUDA 12 + cuDNN 9 the loader finds already
fi

if complete "$lib"; then
  echo "$lib"
  exit 0
fi

mkdir -p "$home"
# one fetch at a time per folder: two runs starting together must not both download 2 GB
exec 9>"$home/.lock"
flock 9
if complete "$lib"; then
  echo "$lib"
  exit 0
fi

say "the loader finds no ${missing[*]}: fetching CUDA 12.6 + cuDNN 9.5 ($ARTIFACT, 2.0 GB) into $lib"
avail_mb=$(df -Pm "$home" | awk 'NR == 2 { print $4 }')
if [ "${avail_mb:-0}" -lt "$NEED_MB" ]; then
  say "only ${avail_mb} MB free under $home, ${NEED_MB} MB needed; free space or set ISOFOLD_CUDA_HOME elsewhere"
  exit 1
fi
"$(dirname "$0")/ensure-package.sh" maven mvn unzip unzip >&2

work=$(mktemp -d "$home/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# reuse the jar when Maven already has it; otherwise download it into a throwaway local repository, so
# that the 2 GB jar does not stay in ~/.m2 once unpacked
m2_jar=$HOME/.m2/repository/$JAR_PATH
if [ -f "$m2_jar" ]; then
  jar=$m2_jar
else
  start=$(date +%s)
  # dependency:get, not :copy: copy would write the 2 GB a second time
  if ! mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$work/repo" "$DEPENDENCY_PLUGIN:get" -Dartifact="$ARTIFACT" \
      -Dtransitive=false >&2; then
    say "cannot fetch $ARTIFACT from Maven Central (offline? a proxy in ~/.m2/settings.xml?)"
    exit 1
  fi
  jar=$work/repo/$JAR_PATH
  say "downloaded $(du -m "$jar" | cut -f1) MB in $(($(date +%s) - start)) s"
fi

start=$(date +%s)
patterns=()
for p in "${UNPACK[@]}"; do
  patterns+=("$JAR_LIBS/$p*")
done
unzip -q "$jar" "${patterns[@]}" -d "$work/x"
mkdir "$work/lib"
find "$work/x/$JAR_LIBS" -type f -name '*.so*' -exec mv -t "$work/lib" {} +
if ! complete "$work/lib"; then
  say "$ARTIFACT lacks some of ${SONAMES[*]}"
  exit 1
fi
rm -rf "$lib" # an incomplete one left by hand; a complete one was caught above
mv -T "$work/lib" "$lib"
say "unpacked $(du -sm "$lib" | cut -f1) MB in $(($(date +%s) - start)) s"
echo "$lib"
