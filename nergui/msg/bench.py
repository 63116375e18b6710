"""Benchmarks that refuse to print figures."""


class BenchMsg:
    # ``nergui bench keys`` stops without figures when the window or the store is not as keyed
    BENCH_KEYS_SPANS = "bench keys: document {doc_id} holds {have}, not {want} as keyed. No figures printed."
    BENCH_KEYS_STATE = "bench keys: document {doc_id} is {state}, not accepted as keyed. No figures printed."
    BENCH_KEYS_REJECTED = "bench keys: document {doc_id} rejects {have}, not {want} as keyed. No figures printed."
    BENCH_KEYS_NOT_STORED = (
        "bench keys: document {doc_id}: [{start}, {end}) {label} is not in the store after its key. No figures printed."
    )
    BENCH_KEYS_CARET = "bench keys: after {keys} the caret is at {got}, not {want} as planned. No figures printed."
    BENCH_KEYS_UNREACHABLE = "bench keys: no caret key reaches the word at {pos}. No figures printed."
    BENCH_KEYS_FOCUS = "bench keys: the focus is on {got}, not on the suggestion {want}. No figures printed."
    BENCH_KEYS_LOST_FOCUS = "bench keys: the text view lost the focus (to {widget}) before {key}. No figures printed."
    BENCH_TEAM_NEEDS_PGDATA = (
        "bench team: --db needs --pgdata, the server's data folder: the bench restarts the server with "
        "pg_ctl during the run. Give both, or neither (the bench then starts a throwaway cluster of its own)."
    )
    BENCH_CRASH_DB_OR_CLUSTER = (
        "bench crash: give --db URL (a running PostgreSQL server) or --own-cluster (a throwaway one), not both."
    )
    BENCH_TEAM_WORKERS = "bench team: give --workers 2 or more (one of them is killed during the run)."
    BENCH_TEAM_NO_PG = (
        "bench team: no PostgreSQL {tool} found (on PATH or in /usr/lib/postgresql/*/bin). "
        "Install the server: apt-get install postgresql"
    )
    BENCH_TEAM_WORKER_FAILED = "bench team: an annotator process failed, so no figures are printed:\n{detail}"
