#!/usr/bin/env bash
# Sales at scale on SQLite: a base of CONTACTS demo contacts, ORDERS orders (2-3 lines each) pushed through
# POST /api/v1/orders/bulk with the customers' metrics kept current, the RFM scoring of the whole base, contact
# lists filtered and sorted by a metric, customer cards read by id; the raw engine making the same writes as the
# ingest on a copy of the base (temas-bench raw-orders: no HTTP, no parsing, no validation); then SQLite and
# DuckDB computing the same RFM from the raw orders in the same run (bench/rfm_peers.py).
# Usage: bench/sales.sh [ORDERS] [CONTACTS] [BASE_ORDERS]
# BASE_ORDERS (default 0) are demo orders generated with the base (`temas demo --orders`) before the ORDERS pushed
# through the API. With a base of orders, the raw engine writes its ORDERS into the base itself (too large to copy)
# before Temas's run, numbered after those Temas pushes.
# SALES_REUSE=1 keeps the database loaded by an earlier run and measures the scoring, the lists and the peers;
# SALES_REUSE=base keeps the base (and the raw engine's run on it) but pushes the ORDERS through the API again: for a
# run that stopped after the base was built (its Temas order numbers must not have been pushed yet);
# SALES_CONCURRENCY sets how many bulk calls are in flight at once (default 4, as a shop and a few tills would).
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS="${1:-1000000}"
CONTACTS="${2:-1000000}"
BASE_ORDERS="${3:-0}"
OUT=bench/out/sales
REUSE="${SALES_REUSE:-0}"
[ -f "$OUT/temas.db" ] || REUSE=0
[ "$REUSE" != 0 ] || rm -rf "$OUT"
mkdir -p "$OUT"
cargo build --release -q -p temas-server -p temas-bench
[ -x bench/out/venv/bin/python ] || { python3 -m venv bench/out/venv && bench/out/venv/bin/pip install -q duckdb pandas; }
T=target/release/temas
B=target/release/temas-bench
PORT=18490
URL="sqlite://$PWD/$OUT/temas.db"
REPORT="$OUT/report.txt"
export TEMAS_ADMIN_PASSWORD=bench-password-1
[ "$REUSE" = base ] || : > "$REPORT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "contacts: $CONTACTS, demo orders in the base: $BASE_ORDERS, orders pushed: $ORDERS"
} | tee -a "$REPORT"
if [ "$REUSE" = 0 ]; then
  $T --database-url "$URL" init --workspace Bench --admin-email bench@bench.test --default-region IR --default-currency IRR >/dev/null
  started=$SECONDS
  $T --database-url "$URL" demo --contacts "$CONTACTS" --orders "$BASE_ORDERS" >/dev/null 2>&1
  echo "demo base: $CONTACTS contacts and $BASE_ORDERS orders in $((SECONDS - started)) s" | tee -a "$REPORT"
  echo "database: $(du -sh "$OUT" | cut -f1)" | tee -a "$REPORT"
  # The baseline: the raw engine making the same writes on the same base, before Temas's own run.
  if [ "$BASE_ORDERS" = 0 ]; then
    cp "$OUT/temas.db" "$OUT/raw.db"
    if [ -f "$OUT/temas.db-wal" ]; then cp "$OUT/temas.db-wal" "$OUT/raw.db-wal"; fi
    timeout 3600 $B raw-orders --url "sqlite://$PWD/$OUT/raw.db" --orders "$ORDERS" --customers "$CONTACTS" | tee -a "$REPORT"
    rm -f "$OUT"/raw.db*
  else
    timeout 3600 $B raw-orders --url "$URL" --orders "$ORDERS" --first "$ORDERS" --customers "$CONTACTS" | tee -a "$REPORT"
  fi
fi
TOKEN=$($T --database-url "$URL" token create --email bench@bench.test)
$T --database-url "$URL" serve --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
sleep 3
if [ "$REUSE" != 1 ]; then
  timeout 3600 $B orders --base http://127.0.0.1:$PORT --token "$TOKEN" --orders "$ORDERS" --customers "$CONTACTS" \
    --concurrency "${SALES_CONCURRENCY:-4}" | grep -v '; the last' | tee -a "$REPORT"
else
  echo "orders: reused the database of an earlier run" | tee -a "$REPORT"
fi
started=$(date +%s.%N)
curl -sf -X POST -H "authorization: Bearer $TOKEN" http://127.0.0.1:$PORT/api/v1/rfm/run
echo "temas rfm for the whole base (POST /api/v1/rfm/run): $(echo "$(date +%s.%N) - $started" | bc) s" | tee -a "$REPORT"
{
  echo "/api/v1/contacts?sort=-total_spent_minor&limit=50"
  echo "/api/v1/contacts?sort=-last_order_at&limit=50"
  echo "/api/v1/contacts?sort=-orders_count&limit=50"
  echo "/api/v1/contacts?filter=orders_count:gte:4&sort=-total_spent_minor&limit=50"
  echo "/api/v1/contacts?filter=total_spent_minor:gt:1000000&sort=-total_spent_minor&limit=50"
  echo "/api/v1/contacts?filter=rfm_monetary:eq:5&sort=-total_spent_minor&limit=50"
  echo "/api/v1/contacts?filter=last_order_at:lt:2026-01-01&sort=-last_order_at&limit=50"
  echo "/api/v1/contacts?sort=-spent_last_12_months_minor&limit=50"
  echo "/api/v1/contacts?filter=spent_last_12_months_minor:gt:0&sort=spent_last_12_months_minor&limit=50"
  echo "/api/v1/contacts?sort=-average_order_value_minor&limit=50"
  echo "/api/v1/contacts?filter=first_order_at:gte:2026-01-01&sort=first_order_at&limit=50"
  echo "/api/v1/contacts?sort=-last_contact_at&limit=50"
  echo "/api/v1/contacts?filter=days_since_last_contact:gt:180&sort=-last_contact_at&limit=50"
  echo "/api/v1/contacts?sort=-total_spent_converted_minor&limit=50"
  echo "/api/v1/contacts?filter=total_spent_converted_minor:gt:1000000&sort=-total_spent_converted_minor&limit=50"
} > "$OUT/metric-paths.txt"
# The favourites are text: filtered (on their own indexes), sorted by a metric or by name.
{
  echo "/api/v1/contacts?filter=favourite_category:eq:Tea&sort=-total_spent_minor&limit=50"
  echo "/api/v1/contacts?filter=favourite_brand:eq:Azbuka&sort=name&limit=50"
  echo "/api/v1/contacts?filter=favourite_category:eq:Heating&sort=-last_order_at&limit=50"
} > "$OUT/favourite-paths.txt"
echo -n "contacts filtered by their favourite category or brand: " | tee -a "$REPORT"
$B latency --base http://127.0.0.1:$PORT --token "$TOKEN" --paths "$OUT/favourite-paths.txt" --rounds 30 | tee -a "$REPORT"
echo -n "contact lists filtered and sorted by a metric: " | tee -a "$REPORT"
$B latency --base http://127.0.0.1:$PORT --token "$TOKEN" --paths "$OUT/metric-paths.txt" --rounds 30 | tee -a "$REPORT"
# Filtered by one metric and sorted by another: many matches, so the list walks the sort's index and reads the
# rows it passes to test them (measured apart: it costs with how sparse the matches are along the sort).
{
  echo "/api/v1/contacts?filter=days_since_last_order:gt:180&sort=-total_spent_minor&limit=50"
  echo "/api/v1/contacts?filter=last_order_at:gte:2026-06-01&sort=-orders_count&limit=50"
  echo "/api/v1/contacts?filter=days_since_last_contact:lt:30&sort=-total_spent_minor&limit=50"
} > "$OUT/cross-paths.txt"
echo -n "contacts filtered by one metric, sorted by another: " | tee -a "$REPORT"
$B latency --base http://127.0.0.1:$PORT --token "$TOKEN" --paths "$OUT/cross-paths.txt" --rounds 30 | tee -a "$REPORT"
# A selective metric filter sorted by name walks the name index (known weak spot, measured apart).
echo "/api/v1/contacts?filter=total_spent_minor:gt:1000000&sort=name&limit=50" > "$OUT/name-paths.txt"
echo -n "contacts filtered by a metric, sorted by name: " | tee -a "$REPORT"
$B latency --base http://127.0.0.1:$PORT --token "$TOKEN" --paths "$OUT/name-paths.txt" --rounds 10 | tee -a "$REPORT"
# Customer cards: a contact's GET carries their metrics (the favourite category and brand among them), read by wrk from 50 connections; contacts spread over the base (six in ten have bought), then buyers.
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
$B sample --base http://127.0.0.1:$PORT --token "$TOKEN" --out "$OUT/cards" --count 2000 >/dev/null
$B sample --base http://127.0.0.1:$PORT --token "$TOKEN" --out "$OUT/buyer-cards" --count 2000 \
  --filter orders_count:gt:0 >/dev/null
for cards in cards buyer-cards; do
  echo -n "$cards (GET /api/v1/contacts/{id}, 50 connections, 20 s): " | tee -a "$REPORT"
  wrk -t2 -c50 -d20s -s bench/get.lua http://127.0.0.1:$PORT -- "$OUT/$cards/ids.txt" "$TOKEN" | grep '^get:' \
    | tee -a "$REPORT"
done
echo "server rss: $(awk '/VmRSS/{print $2, $3}' /proc/$PID/status)" | tee -a "$REPORT"
kill $PID
wait $PID 2>/dev/null || true
bench/out/venv/bin/python bench/rfm_peers.py "$OUT/temas.db" IRR | tee -a "$REPORT"
