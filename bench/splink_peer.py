"""The peer beside Temas in bench/dedupe.sh: Splink (DuckDB backend) on the same files, scored the same way.

Splink is configured as a careful user would: inputs standardised (lower case, phones to their last nine digits),
a comparison suited to each column, blocking rules on several keys, u estimated from random pairs, m by
expectation maximisation on two blocking rules, and the default 0.5 threshold for links and clusters (nothing
picked from the answers). Pairwise precision, recall and F1 are counted from cluster sizes, as in the Temas
benchmark: pairs inside proposed clusters against pairs inside true entities (for two files, pairs across them).

Usage: splink_peer.py febrl FILE [FILE2] | splink_peer.py contacts FILE
"""

import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def load(con, layout, files):
    """One table per file, all text, with `uid`, `truth` and the standardised columns."""
    tables = []
    for n, path in enumerate(files):
        table = f"input_{n}"
        raw = f"read_csv('{path}', all_varchar=true, header=true)"
        if layout == "febrl":
            select = f"""
                SELECT {n} * 10000000 + row_number() OVER () AS uid, entity_id AS truth,
                       lower(trim(given_name)) AS given_name, lower(trim(surname)) AS surname,
                       trim(street_number) AS street_number, lower(trim(address_1)) AS address_1,
                       lower(trim(suburb)) AS suburb, trim(postcode) AS postcode, lower(trim(state)) AS state,
                       try_strptime(nullif(trim(date_of_birth), ''), '%Y%m%d')::DATE AS date_of_birth,
                       regexp_replace(trim(soc_sec_id), '[^0-9]', '', 'g') AS soc_sec_id
                FROM {raw}"""
        else:
            select = f"""
                SELECT row_number() OVER () AS uid, cluster_id AS truth,
                       lower(trim(first_name)) AS first_name, lower(trim(last_name)) AS last_name,
                       lower(trim(email)) AS email,
                       right(regexp_replace(phone, '[^0-9]', '', 'g'), 9) AS phone,
                       lower(trim(city)) AS city, lower(trim(street_address)) AS street_address,
                       lower(trim(company)) AS company,
                       try_strptime(nullif(trim(birth_date), ''), '%Y-%m-%d')::DATE AS birth_date
                FROM {raw}"""
        con.execute(f"CREATE TABLE {table} AS {select}")
        # Splink treats NULL, not the empty string, as missing.
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        for c in columns:
            if c not in ("uid", "truth", "date_of_birth", "birth_date"):
                con.execute(f"UPDATE {table} SET {c} = NULL WHERE {c} = ''")
        tables.append(table)
    return tables


def settings(layout, link_only):
    if layout == "febrl":
        return SettingsCreator(
            link_type="link_only" if link_only else "dedupe_only",
            unique_id_column_name="uid",
            comparisons=[
                cl.NameComparison("given_name"),
                cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
                cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
                cl.LevenshteinAtThresholds("postcode", [1, 2]),
                cl.ExactMatch("state"),
            ],
            blocking_rules_to_generate_predictions=[
                block_on("given_name", "surname"),
                block_on("surname", "date_of_birth"),
                block_on("given_name", "date_of_birth"),
                block_on("soc_sec_id"),
                block_on("postcode", "street_number"),
                block_on("suburb", "surname"),
            ],
            retain_intermediate_calculation_columns=False,
        ), ([block_on("soc_sec_id"), block_on("date_of_birth")], [block_on("given_name", "surname"), block_on("date_of_birth")])
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.EmailComparison("email"),
            cl.LevenshteinAtThresholds("phone", [1]),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.JaroWinklerAtThresholds("city", [0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("street_address", [0.9, 0.75]),
            cl.JaroWinklerAtThresholds("company", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("first_name", "last_name", "birth_date"),
            block_on("last_name", "birth_date"),
            block_on("first_name", "birth_date"),
        ],
        retain_intermediate_calculation_columns=False,
    ), ([block_on("email"), block_on("phone")], [block_on("first_name", "last_name"), block_on("email")])


def pair_counts(con, clusters, link_only):
    """(found, true, right) pair counts from cluster sizes, without listing pairs."""
    con.execute(f"CREATE TABLE scored AS SELECT c.cluster_id, i.truth, i.uid // 10000000 AS source FROM {clusters} c JOIN everyone i USING (uid)")
    if link_only:
        # Pairs across the two files only: per group, records of file 0 times records of file 1.
        def across(group):
            return con.execute(f"""SELECT coalesce(sum(a * b), 0) FROM (
                SELECT count(*) FILTER (WHERE source = 0) AS a, count(*) FILTER (WHERE source = 1) AS b
                FROM scored GROUP BY {group})""").fetchone()[0]
        return across("cluster_id"), across("truth"), across("cluster_id, truth")

    def within(group):
        return con.execute(f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM scored GROUP BY {group})").fetchone()[0]
    return within("cluster_id"), within("truth"), within("cluster_id, truth")


def main():
    layout, files = sys.argv[1], sys.argv[2:]
    link_only = len(files) > 1
    con = duckdb.connect()
    tables = load(con, layout, files)
    con.execute("CREATE TABLE everyone AS " + " UNION ALL ".join(f"SELECT uid, truth FROM {t}" for t in tables))
    started = time.time()
    db_api = DuckDBAPI(connection=con)
    inputs = [db_api.register(t) for t in tables]
    creator, (deterministic, em_rules) = settings(layout, link_only)
    linker = Linker(inputs if link_only else inputs[0], creator, log_level=None)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    seconds = time.time() - started
    found, true, right = pair_counts(con, clusters.physical_name, link_only)
    precision = right / max(found, 1)
    recall = right / max(true, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    records = con.execute("SELECT count(*) FROM everyone").fetchone()[0]
    print(f"splink {' + '.join(files)}: {records} records; precision {precision:.4f}, recall {recall:.4f}, "
          f"F1 {f1:.4f}; {seconds:.2f} s")


if __name__ == "__main__":
    main()
