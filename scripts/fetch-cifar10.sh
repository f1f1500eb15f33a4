#!/usr/bin/env bash
# Downloads the official binary version of CIFAR-10, checks its md5, extracts it,
# and prints the line that points claimlab at it.
#
#   usage: bash scripts/fetch-cifar10.sh [dir]      (default dir: ./data/cifar10)
#
# Result: <dir>/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin
# Needs internet access, curl or wget, md5sum (or md5 on macOS) and tar.
set -euo pipefail

URL="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
MD5="c32a1d4ab5d03f1284b67883e8d87530"
ARCHIVE="cifar-10-binary.tar.gz"
SUBDIR="cifar-10-batches-bin"
FILES="data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin"

if [ "$#" -gt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "usage: bash scripts/fetch-cifar10.sh [dir]   (default: ./data/cifar10)" >&2
  exit 2
fi

DIR="${1:-./data/cifar10}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
DATA_DIR="$DIR/$SUBDIR"

md5_of() {
  if command -v md5sum >/dev/null 2>&1; then
    md5sum "$1" | cut -d' ' -f1
  elif command -v md5 >/dev/null 2>&1; then
    md5 -q "$1"
  else
    echo "error: neither md5sum nor md5 is available to check the download" >&2
    exit 1
  fi
}

all_present() {
  local f
  for f in $FILES; do
    [ -s "$DATA_DIR/$f" ] || return 1
  done
  return 0
}

if all_present; then
  echo "CIFAR-10 already present in $DATA_DIR"
else
  if [ -f "$DIR/$ARCHIVE" ] && [ "$(md5_of "$DIR/$ARCHIVE")" = "$MD5" ]; then
    echo "Using existing $DIR/$ARCHIVE (md5 ok)"
  else
    echo "Downloading $URL (about 163 MB) to $DIR/$ARCHIVE ..."
    PART="$DIR/$ARCHIVE.part"
    rm -f "$PART"
    if command -v curl >/dev/null 2>&1; then
      curl -fL --retry 3 -o "$PART" "$URL" || { rm -f "$PART"; echo "error: download of $URL failed (no internet? see https://www.cs.toronto.edu/~kriz/cifar.html)" >&2; exit 1; }
    elif command -v wget >/dev/null 2>&1; then
      wget -O "$PART" "$URL" || { rm -f "$PART"; echo "error: download of $URL failed (no internet? see https://www.cs.toronto.edu/~kriz/cifar.html)" >&2; exit 1; }
    else
      echo "error: need curl or wget to download $URL" >&2
      exit 1
    fi
    GOT="$(md5_of "$PART")"
    if [ "$GOT" != "$MD5" ]; then
      rm -f "$PART"
      echo "error: md5 mismatch for $URL: got $GOT, expected $MD5 (incomplete or altered download; run the script again)" >&2
      exit 1
    fi
    mv "$PART" "$DIR/$ARCHIVE"
    echo "md5 ok ($MD5)"
  fi
  echo "Extracting to $DATA_DIR ..."
  tar -xzf "$DIR/$ARCHIVE" -C "$DIR"
  if ! all_present; then
    echo "error: after extraction, $DATA_DIR lacks some of: $FILES" >&2
    exit 1
  fi
fi

# Each batch is 10000 records of 3073 bytes.
for f in $FILES; do
  size="$(wc -c < "$DATA_DIR/$f" | tr -d ' ')"
  if [ "$size" != "30730000" ]; then
    echo "error: $DATA_DIR/$f has $size bytes, expected 30730000; delete $DATA_DIR and run again" >&2
    exit 1
  fi
done

echo "CIFAR-10 ready. Use it with:"
echo "export CIFAR10_DIR=$DATA_DIR"
