"""The replay annotator (``nergui bench active``, issue 13): why it measures nothing."""


class ReplayMsg:
    BENCH_REPLAY_NO_DATA = (
        "bench active: {path} is not there; nothing measured. The defaults are explosion/projects' "
        "fashion_brands files in ../shared/data beside the checkout: put them there, or pass --train, "
        "--eval, --raw and --patterns (or --patterns none)."
    )
    BENCH_REPLAY_NO_SPANS = (
        "bench active: {path} holds no annotated spans, so there is nothing to replay. "
        "Pass an annotated file (Prodigy JSONL, spaCy, CoNLL ...) as --train."
    )
    BENCH_REPLAY_STRATEGY = "bench active: unknown strategy {names}; use file, random and/or model (--strategies)."
