#!/usr/bin/env bash
# Writes a fake nvidia-smi into DIR listing COUNT healthy GPUs, for benchmarks and soaks on machines
# without a GPU (put DIR first on PATH). It answers the detection queries; the health queries get no
# rows, which the supervisor logs as an unreadable reading and otherwise ignores.
#
# usage: scripts/fake-gpus.sh DIR [COUNT=4]
set -euo pipefail
dir="$1" count="${2:-4}"
mkdir -p "$dir"
cat >"$dir/nvidia-smi" <<SMI
#!/bin/sh
case "\$*" in
  *--query-gpu=index,name,uuid,memory.total*) i=0; while [ \$i -lt $count ]; do echo "\$i, Fake GPU, GPU-fake-\$i, 81559"; i=\$((i + 1)); done ;;
  *-L*) i=0; while [ \$i -lt $count ]; do echo "GPU \$i: Fake GPU (UUID: GPU-fake-\$i)"; i=\$((i + 1)); done ;;
  *) exit 0 ;;
esac
SMI
chmod +x "$dir/nvidia-smi"
