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
