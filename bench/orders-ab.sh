#!/usr/bin/env bash
# Order ingest of two server builds side by side, on bases each build makes the same way: for each binary, a fresh
# SQLite database with CONTACTS demo contacts and BASE_ORDERS demo orders (the demo catalogue comes with them), then
# ORDERS orders of catalogue lines pushed through POST /api/v1/orders/bulk by this tree's temas-bench, 4 calls in
# flight. Builds alternate for ROUNDS rounds, so that a slow spell of the machine falls on both.
# Usage: bench/orders-ab.sh OLD_TEMAS NEW_TEMAS [CONTACTS] [BASE_ORDERS] [ORDERS] [ROUNDS]
# (build an older commit with `git worktree add /tmp/old REV && cargo build --release -p temas-server` there).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD="$1"
NEW="$2"
CONTACTS="${3:-100000}"
BASE_ORDERS="${4:-1000}"
ORDERS="${5:-100000}"
ROUNDS="${6:-2}"
cargo build --release -q -p temas-bench
B=target/release/temas-bench
OUT=bench/out/orders-ab
PORT=18491
export TEMAS_ADMIN_PASSWORD=bench-password-1
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "contacts: $CONTACTS, demo orders in the base: $BASE_ORDERS, orders pushed: $ORDERS"
for round in $(seq 1 "$ROUNDS"); do
  for build in old new; do
    T=$([ "$build" = old ] && echo "$OLD" || echo "$NEW")
    rm -rf "$OUT"
    mkdir -p "$OUT"
    URL="sqlite://$PWD/$OUT/temas.db"
    "$T" --database-url "$URL" init --workspace Bench --admin-email bench@bench.test --default-region IR \
      --default-currency IRR >/dev/null 2>&1
    "$T" --database-url "$URL" demo --contacts "$CONTACTS" --orders "$BASE_ORDERS" >/dev/null 2>&1
    TOKEN=$("$T" --database-url "$URL" token create --email bench@bench.test 2>/dev/null)
    "$T" --database-url "$URL" serve --listen 127.0.0.1:$PORT > "$OUT/serve.log" 2>&1 &
    PID=$!
    # The statistics refresh a few seconds after the start reads the whole base: let it pass.
    sleep 20
    echo -n "round $round, $build ($T): "
    timeout 1800 $B orders --base http://127.0.0.1:$PORT --token "$TOKEN" --orders "$ORDERS" \
      --customers "$CONTACTS" --concurrency 4 | grep 'orders/s'
    echo "  server rss: $(awk '/VmRSS/{print $2, $3}' /proc/$PID/status)"
    kill $PID
    wait $PID 2>/dev/null || true
  done
done
