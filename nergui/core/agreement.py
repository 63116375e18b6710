"""How far a team's annotators agree (issue 14): ``nergui agreement PROJECT`` and the dialog.

For each pair of annotators, over the documents both accepted (their own versions of them,
``core/versions.py``), for each label and for all labels together:

- **exact span F1**: a span of one matches a span of the other at the same characters with
  the same label; with ``tp`` the matches and ``n_a``, ``n_b`` each one's spans, F1 is
  ``2 tp / (n_a + n_b)`` (symmetric: either may be taken as the reference), computed with
  spaCy's ``PRFScore``.
- **overlapping span F1**: a span is matched if it overlaps a span of the other with the
  same label; ``p`` is the share of b's spans matched, ``r`` the share of a's, F1 their
  harmonic mean.
- **token-level Cohen's kappa**: every token of those documents (spaces excepted) gets each
  annotator's tag (per label: inside a span of that label or not; for all labels: the label
  or none), a token being inside a span if any of its characters is
  (``Doc.char_span(..., alignment_mode="expand")``); kappa is ``(p_o - p_e) / (1 - p_e)``,
  with ``p_o`` the share of tokens both tag alike and ``p_e`` the share expected by chance
  from each one's tag frequencies. Undefined (None) when ``p_e`` is 1 (both tag every token
  the same single way).

Tokens come from the project's base pipeline's tokenizer when it has one that loads, else
from spaCy's multi-language tokenizer (``spacy.blank("xx")``); ``Agreement.tokenization``
says which. A figure is None where it is undefined (no span on either side).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations

from ..errors import Msg
from .versions import FINAL

ALL = "(all labels)"


@dataclass(frozen=True)
class PairLabel:
    """The agreement of two annotators on one label (or ``ALL``)."""

    a: str
    b: str
    label: str
    documents: int  # both accepted
    spans_a: int
    spans_b: int
    tokens: int
    f1_exact: float | None
    f1_overlap: float | None
    kappa: float | None


@dataclass
class Agreement:
    tokenization: str
    rows: list[PairLabel] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"tokenization": self.tokenization, "pairs": [asdict(r) for r in self.rows]}

    def table(self) -> str:
        """The figures as text (the command's output)."""
        if not self.rows:
            return Msg.AGREEMENT_NONE
        head = f"{'annotators':<24} {'label':<16} {'docs':>5} {'spans':>11} {'tokens':>7} " \
               f"{'F1 exact':>8} {'F1 overlap':>10} {'kappa':>6}"
        lines = [f"tokens: {self.tokenization}", head, "-" * len(head)]
        for r in self.rows:
            lines.append(f"{(r.a + ' / ' + r.b)[:24]:<24} {r.label[:16]:<16} {r.documents:>5} "
                         f"{f'{r.spans_a}/{r.spans_b}':>11} {r.tokens:>7} {_fig(r.f1_exact):>8} "
                         f"{_fig(r.f1_overlap):>10} {_fig(r.kappa):>6}")
        return "\n".join(lines)


def _fig(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def finished(project) -> dict[int, list[str]]:
    """``{doc_id: [annotator, ...]}`` of the documents at least two annotators accepted."""
    who: dict[int, list[str]] = defaultdict(list)
    for doc_id, name in project.conn.execute(
            "SELECT doc_id, annotator FROM assignments WHERE (state = 'accepted' OR (state = 'todo' AND done = 1))"
            " AND annotator != ? ORDER BY doc_id, annotator", (FINAL,)):
        who[doc_id].append(name)
    return {d: names for d, names in who.items() if len(names) > 1}


def project_tokenizer(project):
    """``(tokenizer, description)``: the base pipeline's tokenizer, else spaCy's multi-language one."""
    import spacy

    spec = project.base_pipeline
    if spec:
        from .pipeline import load_tokenizer

        try:
            return load_tokenizer(spec), f"the tokenizer of the project's base pipeline ({spec})"
        except Exception:  # noqa: BLE001 - not installed here: say so and use the other
            return spacy.blank("xx").tokenizer, f"spaCy's multi-language tokenizer (xx; {spec} did not load)"
    return spacy.blank("xx").tokenizer, "spaCy's multi-language tokenizer (xx: the project has no base pipeline)"


def agreement(project, tokenizer=None, tokenization: str = "") -> Agreement:
    """Every pair's figures (see the module's docstring); ``tokenizer`` defaults to the project's."""
    if tokenizer is None:
        tokenizer, tokenization = project_tokenizer(project)
    docs = finished(project)
    marks: dict[int, dict[str, list[tuple[int, int, str]]]] = {}
    tokens: dict[int, list[tuple[int, int]]] = {}  # each document's (start, end) token spans, spaces left out
    for doc_id, names in docs.items():
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        by: dict[str, list[tuple[int, int, str]]] = {n: [] for n in names}
        for name, start, end, label in project.conn.execute(
                "SELECT annotator, start, end, label FROM spans WHERE doc_id = ? ORDER BY start", (doc_id,)):
            if name in by:
                by[name].append((start, end, label))
        marks[doc_id] = by
        tokens[doc_id] = _tags_of(tokenizer(text), by)
    pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for doc_id, names in docs.items():
        for a, b in combinations(names, 2):
            pairs[(a, b)].append(doc_id)
    out = Agreement(tokenization=tokenization)
    for (a, b), ids in sorted(pairs.items()):
        labels = sorted({lab for d in ids for n in (a, b) for *_, lab in marks[d][n]})
        for label in [*labels, ALL]:
            out.rows.append(_pair_label(a, b, label, ids, marks, tokens))
    return out


def _tags_of(doc, by: dict[str, list[tuple[int, int, str]]]) -> list[dict[str, str | None]]:
    """Each non-space token's tag per annotator: the label of the span it is in, or None."""
    tags: list[dict[str, str | None]] = [dict.fromkeys(by) for _ in doc]
    for name, spans in by.items():
        for start, end, label in spans:
            span = doc.char_span(start, end, alignment_mode="expand")
            for i in range(span.start, span.end) if span is not None else ():
                tags[i][name] = tags[i][name] or label
    return [t for t, tok in zip(tags, doc) if not tok.is_space]


def _pair_label(a, b, label, ids, marks, tokens) -> PairLabel:
    from spacy.scorer import PRFScore

    def spans(name: str, d: int) -> list[tuple[int, int, str]]:
        return [s for s in marks[d][name] if label == ALL or s[2] == label]

    n_a = n_b = tp = hit_a = hit_b = 0
    for d in ids:
        sa, sb = spans(a, d), spans(b, d)
        n_a, n_b = n_a + len(sa), n_b + len(sb)
        tp += len(set(sa) & set(sb))
        hit_a += sum(any(_overlap(x, y) for y in sb) for x in sa)
        hit_b += sum(any(_overlap(y, x) for x in sa) for y in sb)
    exact = PRFScore(tp=tp, fp=n_b - tp, fn=n_a - tp).fscore if n_a + n_b else None
    if n_a + n_b == 0:
        overlap = None
    else:
        p, r = (hit_b / n_b if n_b else 0.0), (hit_a / n_a if n_a else 0.0)
        overlap = 2 * p * r / (p + r) if p + r else 0.0
    pairs = [(t[a], t[b]) for d in ids for t in tokens[d]]
    if label != ALL:
        pairs = [(x == label, y == label) for x, y in pairs]
    return PairLabel(a, b, label, len(ids), n_a, n_b, len(pairs), exact, overlap, cohen_kappa(pairs))


def _overlap(x: tuple[int, int, str], y: tuple[int, int, str]) -> bool:
    return x[2] == y[2] and x[0] < y[1] and y[0] < x[1]


def cohen_kappa(pairs: list[tuple]) -> float | None:
    """Cohen's kappa of two raters' tags, ``[(tag_a, tag_b), ...]``; None if undefined."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(x == y for x, y in pairs) / n
    count_a: dict = defaultdict(int)
    count_b: dict = defaultdict(int)
    for x, y in pairs:
        count_a[x] += 1
        count_b[y] += 1
    expected = sum(count_a[t] * count_b[t] for t in count_a) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)
