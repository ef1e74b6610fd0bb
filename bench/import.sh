#!/usr/bin/env bash
# The import benchmark of BENCHMARKS.md: a fresh SQLite database holding BASE contacts (loaded by a first import),
# then an import of ROWS more from a CSV (name, 2 emails, 2 phones, company, city, 3 custom fields) matched on
# email against that base, timed with its peak memory; then the raw engine loading the same rows into the same indexed
# schema (on copies of the base taken before that import: 1,000 rows per transaction as the importer commits, and
# 10,000), and inserting the same number of plain rows.
# Usage: bench/import.sh [ROWS] [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
BASE="${2:-1000000}"
OUT=bench/out/import
rm -rf "$OUT" && mkdir -p "$OUT"
command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
cargo build --release -q -p temas-server -p temas-bench
T=target/release/temas
B=target/release/temas-bench
URL="sqlite://$PWD/$OUT/temas.db"
PORT=18481
export TEMAS_ADMIN_PASSWORD=bench-password-1
report="$OUT/report.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "rows: $ROWS into a base of $BASE"
} > "$report"
$T --database-url "$URL" init --workspace Bench --admin-email bench@bench.test --default-region TR >/dev/null
# The three custom fields, through the API.
token=$($T --database-url "$URL" token create --email bench@bench.test)
$T --database-url "$URL" serve --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
pid=$!
sleep 2
for f in '{"entity":"contact","key":"tier","label":"Tier","kind":"single_select","options":["gold","silver","bronze"]}' \
         '{"entity":"contact","key":"score","label":"Score","kind":"number"}' \
         '{"entity":"contact","key":"segment","label":"Segment","kind":"text"}'; do
  curl -sf -X POST -H "authorization: Bearer $token" -H 'content-type: application/json' -d "$f" \
    http://127.0.0.1:$PORT/api/v1/custom-fields >/dev/null
done
kill $pid; wait $pid 2>/dev/null || true
$B csv --rows "$BASE" --out "$OUT/base.csv" >/dev/null
$B csv --rows "$ROWS" --offset "$BASE" --out "$OUT/new.csv" >/dev/null
measure() {
  local label=$1; shift
  local started took rows
  started=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$OUT/time.txt" "$@" > "$OUT/last.txt" 2>/dev/null
  took=$(echo "$(date +%s.%N) - $started" | bc)
  rows=$(( $(wc -l < "$3") - 1 ))
  echo "$label: $(grep -E '^(created|updated|failed)' "$OUT/last.txt" | tr '\n' ' ')in $(printf %.1f "$took") s = $(echo "$rows / $took" | bc) rows/s, peak memory $(( $(cat "$OUT/time.txt") / 1024 )) MB" | tee -a "$report"
}
measure "base import ($BASE rows into an empty workspace)" $T import "$OUT/base.csv" --database-url "$URL"
# The base as the second import finds it, for the raw engine.
sqlite3 "$OUT/temas.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$OUT/temas.db" "$OUT/raw-1000.db"
cp "$OUT/temas.db" "$OUT/raw-10000.db"
measure "import of $ROWS rows matched on email against $BASE" $T import "$OUT/new.csv" --database-url "$URL" --match-on email
for batch in 1000 10000; do
  sync
  $B raw-import --url "sqlite://$PWD/$OUT/raw-$batch.db" --file "$OUT/new.csv" --batch $batch | tee -a "$report"
  rm -f "$OUT/raw-$batch.db"*
done
echo -n "raw engine: " | tee -a "$report"
$B raw-insert --url "sqlite://$PWD/$OUT/raw.db" --rows "$ROWS" | tee -a "$report"
