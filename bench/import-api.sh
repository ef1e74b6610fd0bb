#!/usr/bin/env bash
# The same CSV (bench/import.sh's shape: name, 2 emails, 2 phones, company, city, 3 custom fields) imported two ways
# in one run, each into a fresh SQLite workspace: by `temas import` on the command line, and through the API as a
# background job (upload, run, poll until committed) — to show what the job path (upload kept in the database,
# a checkpoint per 1,000 rows) costs. Reports rows/s and the importing process's peak memory.
# Usage: bench/import-api.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-200000}"
OUT=bench/out/import-api
rm -rf "$OUT" && mkdir -p "$OUT"
cargo build --release -q -p temas-server -p temas-bench
T=target/release/temas
B=target/release/temas-bench
PORT=18482
export TEMAS_ADMIN_PASSWORD=bench-password-1
report="$OUT/report.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "rows: $ROWS into an empty workspace, each way"
} > "$report"
$B csv --rows "$ROWS" --out "$OUT/rows.csv" >/dev/null

# A fresh workspace with the three custom fields; prints its owner's token.
workspace() {
  local url=$1 token pid
  $T --database-url "$url" init --workspace Bench --admin-email bench@bench.test --default-region TR >/dev/null
  token=$($T --database-url "$url" token create --email bench@bench.test)
  $T --database-url "$url" serve --listen 127.0.0.1:$PORT > "$OUT/serve-setup.log" 2>&1 &
  pid=$!
  sleep 2
  for f in '{"entity":"contact","key":"tier","label":"Tier","kind":"single_select","options":["gold","silver","bronze"]}' \
           '{"entity":"contact","key":"score","label":"Score","kind":"number"}' \
           '{"entity":"contact","key":"segment","label":"Segment","kind":"text"}'; do
    curl -sf -X POST -H "authorization: Bearer $token" -H 'content-type: application/json' -d "$f" \
      http://127.0.0.1:$PORT/api/v1/custom-fields >/dev/null
  done
  kill $pid; wait $pid 2>/dev/null || true
  echo "$token"
}

cli_url="sqlite://$PWD/$OUT/cli.db"
workspace "$cli_url" >/dev/null
started=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$OUT/time.txt" $T import "$OUT/rows.csv" --database-url "$cli_url" > "$OUT/cli.txt" 2>/dev/null
took=$(echo "$(date +%s.%N) - $started" | bc)
echo "command line: $(grep -E '^created' "$OUT/cli.txt") in $(printf %.1f "$took") s = $(echo "$ROWS / $took" | bc) rows/s, peak memory $(( $(cat "$OUT/time.txt") / 1024 )) MB" | tee -a "$report"

api_url="sqlite://$PWD/$OUT/api.db"
token=$(workspace "$api_url")
$T --database-url "$api_url" serve --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
pid=$!
sleep 2
api=http://127.0.0.1:$PORT/api/v1
started=$(date +%s.%N)
id=$(curl -sf -H "authorization: Bearer $token" --data-binary @"$OUT/rows.csv" "$api/imports?file_name=rows.csv" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
uploaded=$(echo "$(date +%s.%N) - $started" | bc)
curl -sf -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{}' "$api/imports/$id/run" >/dev/null
status=running
for _ in $(seq 1 7200); do
  status=$(curl -sf -H "authorization: Bearer $token" "$api/imports/$id" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["summary"]["created"])')
  [[ $status == running* ]] || break
  sleep 0.5
done
took=$(echo "$(date +%s.%N) - $started" | bc)
peak=$(awk '/VmHWM/{print int($2/1024)}' /proc/$pid/status)
kill $pid; wait $pid 2>/dev/null || true
echo "API job: $status created, upload $(printf %.1f "$uploaded") s, in all $(printf %.1f "$took") s = $(echo "$ROWS / $took" | bc) rows/s, server peak memory $peak MB" | tee -a "$report"
