#!/usr/bin/env bash
# Downloads the UCI Gas Sensor Array Drift Dataset (Vergara et al. 2012), extracts its ten
# batch files, checks their published record counts, and prints the line that points claimlab
# at them (exp-overparameterization's paper profile regresses its ethanol concentrations).
#
#   usage: bash scripts/fetch-gas-sensor.sh [dir]      (default dir: ./data/gas-sensor)
#
# Result: <dir>/batch1.dat .. <dir>/batch10.dat
# Needs internet access, curl or wget, and unzip.
set -euo pipefail

URL="https://archive.ics.uci.edu/static/public/224/gas+sensor+array+drift+dataset.zip"
ARCHIVE="gas-sensor-array-drift.zip"
COUNTS="445 1244 1586 161 197 2300 3613 294 470 3600"

if [ "$#" -gt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "usage: bash scripts/fetch-gas-sensor.sh [dir]   (default: ./data/gas-sensor)" >&2
  exit 2
fi
command -v unzip >/dev/null 2>&1 || { echo "error: unzip is needed to extract the archive" >&2; exit 1; }

DIR="${1:-./data/gas-sensor}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

all_present() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    [ -s "$DIR/batch$i.dat" ] || return 1
  done
  return 0
}

if all_present; then
  echo "Gas Sensor Array Drift data already present in $DIR"
else
  echo "Downloading $URL to $DIR/$ARCHIVE ..."
  PART="$DIR/$ARCHIVE.part"
  rm -f "$PART"
  fail() { rm -f "$PART"; echo "error: download of $URL failed (no internet? see https://archive.ics.uci.edu/dataset/224)" >&2; exit 1; }
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 3 -o "$PART" "$URL" || fail
  elif command -v wget >/dev/null 2>&1; then
    wget -O "$PART" "$URL" || fail
  else
    echo "error: need curl or wget to download $URL" >&2
    exit 1
  fi
  mv "$PART" "$DIR/$ARCHIVE"
  TMP="$(mktemp -d "$DIR/extract.XXXXXX")"
  unzip -q -o "$DIR/$ARCHIVE" -d "$TMP"
  # The archive has held the batch files directly and inside a nested Dataset.zip.
  find "$TMP" -name '*.zip' -exec unzip -q -o {} -d "$TMP" \;
  for i in 1 2 3 4 5 6 7 8 9 10; do
    found="$(find "$TMP" -name "batch$i.dat" | head -n 1)"
    [ -n "$found" ] || { echo "error: the archive holds no batch$i.dat; see https://archive.ics.uci.edu/dataset/224" >&2; exit 1; }
    mv "$found" "$DIR/batch$i.dat"
  done
  rm -rf "$TMP"
fi

i=1
for expected in $COUNTS; do
  got="$(grep -c . "$DIR/batch$i.dat" || true)"
  if [ "$got" != "$expected" ]; then
    echo "error: $DIR/batch$i.dat holds $got records, expected $expected; delete it and run again" >&2
    exit 1
  fi
  i=$((i + 1))
done

echo "Gas Sensor Array Drift data ready (13,910 records). Use it with:"
echo "export GAS_SENSOR_DIR=$DIR"
