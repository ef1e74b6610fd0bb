"""RFM from raw orders, beside Temas: the same aggregation (per customer: purchases, spend in the workspace's
currency, last purchase; then quintiles of each) done by SQLite straight on the orders table, and by DuckDB on the
same rows loaded into memory; then DuckDB's cut points of the quintiles against the ones Temas keeps. Usage:
rfm_peers.py DB_PATH CURRENCY"""

import json
import sqlite3
import sys
import time

import duckdb
import pandas as pd

AGGREGATE = """
    SELECT contact_id,
           COUNT(*) AS orders_count,
           SUM(CASE WHEN currency = '{cur}' THEN spent_minor ELSE 0 END) AS spent,
           MAX(occurred_at) AS last_at
    FROM orders
    WHERE deleted_at IS NULL AND spent_minor IS NOT NULL AND contact_id IS NOT NULL
    GROUP BY contact_id
"""

SCORE = """
    SELECT contact_id,
           NTILE(5) OVER (ORDER BY last_at, contact_id) AS r,
           NTILE(5) OVER (ORDER BY orders_count, contact_id) AS f,
           NTILE(5) OVER (ORDER BY spent, contact_id) AS m
    FROM ({agg}) AS a
"""


def main():
    path, currency = sys.argv[1], sys.argv[2]
    query = SCORE.format(agg=AGGREGATE.format(cur=currency))
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    orders = db.execute("SELECT COUNT(*) FROM orders WHERE deleted_at IS NULL").fetchone()[0]
    started = time.perf_counter()
    scored = db.execute(f"SELECT COUNT(*), SUM(r), SUM(f), SUM(m) FROM ({query})").fetchone()
    sqlite_secs = time.perf_counter() - started
    print(f"sqlite from raw orders: {orders} orders -> {scored[0]} customers scored in {sqlite_secs:.2f} s")

    started = time.perf_counter()
    rows = db.execute(
        "SELECT hex(contact_id), currency, spent_minor, occurred_at, deleted_at FROM orders"
    ).fetchall()
    frame = pd.DataFrame(rows, columns=["contact_id", "currency", "spent_minor", "occurred_at", "deleted_at"])
    duck = duckdb.connect()
    duck.register("frame", frame)
    duck.execute("CREATE TABLE orders AS SELECT * FROM frame")
    load_secs = time.perf_counter() - started
    started = time.perf_counter()
    scored = duck.execute(f"SELECT COUNT(*), SUM(r), SUM(f), SUM(m) FROM ({query})").fetchone()
    duck_secs = time.perf_counter() - started
    print(
        f"duckdb from raw orders: {scored[0]} customers scored in {duck_secs:.2f} s"
        f" (loading the {len(rows)} rows into it took {load_secs:.1f} s more)"
    )

    # Temas keeps cut points rather than scores (temas_core::rfm): the last buyer of each of the lowest four
    # fifths, per input. DuckDB finds the same from the raw orders, as a check of Temas's figures.
    saved = db.execute("SELECT cuts FROM rfm_cuts").fetchone()
    if saved:
        started = time.perf_counter()
        duck.execute(f"CREATE TABLE agg AS {AGGREGATE.format(cur=currency)}")
        n = duck.execute("SELECT COUNT(*) FROM agg").fetchone()[0]
        positions = [-(-k * n // 5) - 1 for k in range(1, 5)]
        theirs = {
            name: [
                duck.execute(f"SELECT {col} FROM agg ORDER BY {col} LIMIT 1 OFFSET {p}").fetchone()[0]
                for p in positions
            ]
            for name, col in [("recency", "last_at"), ("frequency", "orders_count"), ("monetary", "spent")]
        }
        secs = time.perf_counter() - started
        same = "the same as" if theirs == json.loads(saved[0]) else "DIFFERENT from"
        print(f"duckdb cut points from raw orders: {secs:.2f} s, {same} the cuts temas keeps")


if __name__ == "__main__":
    main()
