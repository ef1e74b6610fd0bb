#!/usr/bin/env bash
# Duplicates in the server at scale (issue 5): on a copy of the SQLite database `bench/run.sh` loaded (1,000,000 demo
# contacts by default), a scan through the API as a background job (time and the server's peak memory), then the
# duplicate check on create: misspelled repeats of sampled contacts (each must be refused with the original among
# the candidates) and new contacts (checked, then created). The copy stays in bench/out/dedupe-server until the next run.
# Usage: bench/dedupe-server.sh   (run bench/run.sh N sqlite first)
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE=bench/out/sqlite
WORK=bench/out/dedupe-server
[ -f "$SOURCE/temas.db" ] || { echo "no $SOURCE/temas.db: run bench/run.sh first" >&2; exit 1; }
cargo build --release -q -p temas-server -p temas-bench
T=target/release/temas
B=target/release/temas-bench
PORT=18490
rm -rf "$WORK" && mkdir -p "$WORK"
cp "$SOURCE"/temas.db* "$WORK/"
url="sqlite://$PWD/$WORK/temas.db"
export TEMAS_ADMIN_PASSWORD=bench-password-1
token=$($T --database-url "$url" token create --email bench@bench.test)
$T --database-url "$url" serve --listen 127.0.0.1:$PORT > "$WORK/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 5
rm -f "$WORK"/temas.before-*.db
report="$WORK/report.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "rss before the scan: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
} | tee "$report"
scan=$(curl -sf -X POST -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{}' \
  http://127.0.0.1:$PORT/api/v1/dedupe/scans | sed -E 's/.*"id":"([^"]+)".*/\1/')
for _ in $(seq 1 600); do
  sleep 1
  state=$(curl -sf -H "authorization: Bearer $token" http://127.0.0.1:$PORT/api/v1/dedupe/scans/$scan)
  case "$state" in *'"status":"done"'*|*'"status":"failed"'*) break ;; esac
done
echo "scan through the API: $(echo "$state" | sed -E 's/.*"status":"([a-z]+)".*"progress":(\{[^}]*\}).*/\1 \2/')" | tee -a "$report"
echo "server peak memory so far: $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)" | tee -a "$report"
$B duplicate-check --base http://127.0.0.1:$PORT --token "$token" --ids "$SOURCE/ids.txt" --count 1000 | tee -a "$report"
