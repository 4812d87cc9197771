#!/usr/bin/env bash
# Makes the bundled default dataset: a stratified 10,000-image subset (1,000 per class) of the
# Fashion-MNIST training set, in IDX gz format, under worker/data/fashion-mnist-10k/.
# Deterministic: the same input gives byte-identical output, so rerunning it changes nothing in git.
set -euo pipefail

SRC=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/worker/data/fashion-mnist-10k"
PER_CLASS=${PER_CLASS:-1000}

if [ ! -f "$SRC/train-images-idx3-ubyte.gz" ]; then
    "$ROOT/scripts/ensure-package.sh" dataset-fashion-mnist "$SRC/train-images-idx3-ubyte.gz"
fi

mkdir -p "$DEST"
python3 - "$SRC" "$DEST" "$PER_CLASS" <<'PY'
import gzip, random, struct, sys, os

src, dest, per_class = sys.argv[1], sys.argv[2], int(sys.argv[3])

def read(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndims = data[3]
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    return dims, data[4 + 4 * ndims:]

idims, images = read(os.path.join(src, "train-images-idx3-ubyte.gz"))
ldims, labels = read(os.path.join(src, "train-labels-idx1-ubyte.gz"))
n, h, w = idims
assert ldims[0] == n and len(images) == n * h * w and len(labels) == n

# A fixed seed (the date Fashion-MNIST was published) so the subset never changes.
rng = random.Random(20170825)
by_class = {}
for i, y in enumerate(labels):
    by_class.setdefault(y, []).append(i)
chosen = []
for y in sorted(by_class):
    members = by_class[y]
    if len(members) < per_class:
        sys.exit(f"class {y} has only {len(members)} images, {per_class} wanted")
    chosen.extend(rng.sample(members, per_class))
chosen.sort()  # keep the original order of the training set

def write(path, dims, payload):
    header = bytes([0, 0, 0x08, len(dims)]) + struct.pack(">" + "I" * len(dims), *dims)
    # mtime=0 and no file name in the gzip header: byte-identical output on every run
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(header + payload)

size = h * w
write(os.path.join(dest, "train-images-idx3-ubyte.gz"), (len(chosen), h, w),
      b"".join(images[i * size:(i + 1) * size] for i in chosen))
write(os.path.join(dest, "train-labels-idx1-ubyte.gz"), (len(chosen),), bytes(labels[i] for i in chosen))
print(f"wrote {len(chosen)} images ({per_class} per class, {h}x{w}) to {dest}")
PY

cat > "$DEST/LICENSE" <<'LIC'
The MIT License (MIT) Copyright © [2017] Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the “Software”), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED “AS IS”, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LIC

cat > "$DEST/README.md" <<'MD'
# fashion-mnist-10k

isofold's default dataset: 10,000 images of the Fashion-MNIST training set, 1,000 of each of its
10 classes, 28x28 grayscale, in the original IDX format (gzip). Made by
`scripts/make-default-data.sh` from Debian's `dataset-fashion-mnist` package; rerunning the script
reproduces these files byte for byte.

Fashion-MNIST is by Zalando Research, released under the MIT licence (see `LICENSE`):

> Han Xiao, Kashif Rasul, Roland Vollgraf. *Fashion-MNIST: a Novel Image Dataset for Benchmarking
> Machine Learning Algorithms.* arXiv:1708.07747, 2017.
> https://github.com/zalandoresearch/fashion-mnist

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot.
MD
