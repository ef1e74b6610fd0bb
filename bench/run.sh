#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: for SQLite and PostgreSQL, a fresh database, N contacts created through the bulk API,
# then GET by id (wrk, 50 connections), search and filtered list latencies, the server's memory, and the raw engine
# doing the same work in the same run. Usage: bench/run.sh [CONTACTS] [sqlite|postgres|both]
# BENCH_REUSE=1 keeps an already loaded benchmark database and measures the reads only.
set -euo pipefail
cd "$(dirname "$0")/.."
CONTACTS="${1:-1000000}"
WHICH="${2:-both}"
OUT=bench/out
mkdir -p "$OUT"
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
cargo build --release -q -p temas-server -p temas-bench
T=target/release/temas
B=target/release/temas-bench
PORT=18480
export TEMAS_ADMIN_PASSWORD=bench-password-1
PG_ADMIN="${TEMAS_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"

run_backend() {
  local backend=$1 url
  local dir="$OUT/$backend"
  local reuse="${BENCH_REUSE:-0}"
  if [ "$backend" = sqlite ]; then
    url="sqlite://$PWD/$dir/temas.db"
    [ -f "$dir/temas.db" ] || reuse=0
  else
    url="${PG_ADMIN%/*}/temas_bench"
    psql "$url" -q -c "select 1" >/dev/null 2>&1 || reuse=0
  fi
  if [ "$reuse" != 1 ]; then
    rm -rf "$dir"
    if [ "$backend" = postgres ]; then
      psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS temas_bench WITH (FORCE)" -c "CREATE DATABASE temas_bench"
    fi
  fi
  mkdir -p "$dir"
  local report="$OUT/$backend.txt"
  {
    echo "backend: $backend"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
    echo "contacts: $CONTACTS"
  } > "$report"
  if [ "$reuse" != 1 ]; then
    $T --database-url "$url" init --workspace Bench --admin-email bench@bench.test --default-region IR --default-currency IRR >/dev/null
  fi
  local token
  token=$($T --database-url "$url" token create --email bench@bench.test)
  $T --database-url "$url" serve --listen 127.0.0.1:$PORT > "$dir/serve.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  sleep 3
  if [ "$reuse" != 1 ]; then
    $B bulk --base http://127.0.0.1:$PORT --token "$token" --contacts "$CONTACTS" --concurrency 3 | tee -a "$report"
  else
    echo "bulk: skipped (BENCH_REUSE=1, database already loaded)" | tee -a "$report"
  fi
  # An administrator declares the fields lists are filtered by (the list queries below use these); each gets an
  # index. Setting them again on a loaded database is a no-op.
  local started=$SECONDS
  curl -sf -X PATCH -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"indexed_fields":{"contacts":["language","gender,language","source"]}}' \
    http://127.0.0.1:$PORT/api/v1/workspace >/dev/null
  echo "indexed fields language, gender+language, source: built in $((SECONDS - started)) s" | tee -a "$report"
  $B sample --base http://127.0.0.1:$PORT --token "$token" --out "$dir" --count 2000 | tee -a "$report"
  echo "rss after load: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)" | tee -a "$report"
  wrk -t2 -c50 -d20s -s bench/get.lua http://127.0.0.1:$PORT -- "$dir/ids.txt" "$token" | grep '^get:' | tee -a "$report"
  echo -n "search through the API (3-6 character fragments of names, emails, phones): " | tee -a "$report"
  $B latency --base http://127.0.0.1:$PORT --token "$token" --paths "$dir/search-paths.txt" --rounds 2 | tee -a "$report"
  echo -n "filtered first list pages: " | tee -a "$report"
  $B latency --base http://127.0.0.1:$PORT --token "$token" --paths "$dir/list-paths.txt" --rounds 25 | tee -a "$report"
  # The web app's pages at this size, signed in as a browser would be: lists, filtered lists, cards, search.
  {
    echo "/contacts"
    echo "/contacts?sort=name"
    echo "/contacts?sort=name&filter=language:eq:tr"
    echo "/companies"
    head -100 "$dir/ids.txt" | sed 's|^|/contacts/|'
    head -100 "$dir/search-paths.txt" | sed -E 's|^/api/v1/search\?q=([^&]*).*|/search?q=\1|'
  } > "$dir/page-paths.txt"
  echo -n "web app pages (lists, cards, search; signed in): " | tee -a "$report"
  $B pages --base http://127.0.0.1:$PORT --email bench@bench.test --password "$TEMAS_ADMIN_PASSWORD" \
    --paths "$dir/page-paths.txt" --rounds 2 | tee -a "$report"
  echo "rss after reads: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status); peak $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)" | tee -a "$report"
  kill $pid; wait $pid 2>/dev/null || true
  echo -n "raw engine, same database: " | tee -a "$report"
  $B raw-search --url "$url" --fragments "$dir/fragments.txt" | tee -a "$report"
  echo -n "raw engine: " | tee -a "$report"
  if [ "$backend" = sqlite ]; then
    $B raw-insert --url "sqlite://$PWD/$dir/raw.db" --rows "$CONTACTS" | tee -a "$report"
  else
    $B raw-insert --url "$url" --rows "$CONTACTS" | tee -a "$report"
  fi
}

case "$WHICH" in
  sqlite|postgres) run_backend "$WHICH" ;;
  both) run_backend sqlite; run_backend postgres ;;
esac
