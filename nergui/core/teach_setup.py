"""The review mode on a project: its to-do documents, its patterns, the types it asks about,
and how its learner learns (``teach_learn_settings``, ``teach_settings``). The candidates
themselves are ``core/teach.py``'s. No Qt.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .teach import TeachDoc

# How the learner rehearses while the review mode teaches it (``teach_settings``): documents of
# binary decisions say nothing about most words, so the "O" of unannotated text is most of what
# keeps the new type from being found everywhere. Measured (``nergui bench teach --replay``,
# fashion data, F on the 500 eval documents after 500 decisions): the learner's own default
# (the original's entities "O", the rest missing: "ents", 0.25) F 0.317; every word "O" at 0.25,
# 0.417, at 1.0, 0.442; every word "O" but the original's entities of the types the new one is
# found as (ORG, PERSON, GPE ...: "alike-missing") at 1.0, 0.484 (0.409 at 250 decisions,
# against 0.345 for "o").
#
# The curve with these defaults (``teach_replay``, seed 0, deterministic: two runs gave the same
# figures), F (P, R) after 100/200/300/400/500/600/800/1000 decisions: 0.345 (0.47, 0.27), 0.367
# (0.38, 0.36), 0.432 (0.62, 0.33), 0.449 (0.58, 0.37), 0.484 (0.57, 0.42), 0.358 (0.43, 0.31),
# 0.442 (0.55, 0.37), 0.453 (0.61, 0.36); 0.508 at 500 with the last 10 not yet learnt. Seed 1
# (another document order): 0.253, 0.450, 0.438, 0.460, 0.402, 0.447, 0.442, and 0.495 (P 0.69,
# R 0.39) when the candidates ran out at 996 decisions (21 passes). So recall stays low and F
# swings by up to 0.12 between checkpoints rather than falling steadily. Of the patterns'
# matches (196 in the training file, 195 of them gold) 128 are accepted by 400 decisions, 132 by
# 500 (those the model is sure of are not asked); after 300 decisions about 80 % of the model's
# candidates are rejected, and the stream goes over the documents again and again (18 passes,
# 21,720 documents scored for 1,000 decisions, 332 decided). Tried and not kept (same seed, F at
# 500 / 600 decisions against 0.484 / 0.358): the learner's moving average of the weights
# (``LearnSettings.average``) 0.395 / 0.395 (steadier, lower); the model's likeliest candidates
# first (priority ``p``) 0.349 / 0.324 (more accepted: 285 by 600); 1 step instead of 3 for a
# document learnt again 0.336 at 300 (0.432; stopped there); a consolidation run (the app's full
# run from the original on the decided documents) every 500 decisions: 0.433 at 500, below the
# learner it replaced (0.508 just before), then the learner from it 0.404 at 600, 0.440 at 800,
# 0.516 just before the run at 1,000, which gave 0.419: a full run on binary documents (the
# trainer's defaults) is no better than the learner, and one seed's F at 1,000 is within that
# swing.
#
# Two changes since, both kept (same replay, seed 0, F after 400/600/800/1,000 decisions against
# 0.449/0.358/0.442/0.453 above): asking about the original's entities of the types the new one
# was found as (``ask_original``, ``ORIGINAL_WEIGHT``) alone 0.374/0.356/0.446/0.465 (recall
# 0.49 at 1,000, precision 0.44); "alike-missing" leaving the words a user marked as the new
# type missing in rehearsal text (``Trainer.said_new``) alone 0.382/0.545/0.492/0.426; both
# 0.502/0.456/0.553/0.494 (P 0.57, R 0.44), seed 1 0.441/0.448/0.472/0.432, seed 2
# 0.360/0.483/0.488/0.545: at 1,000 a mean of 0.490 over three seeds (0.453 and 0.495 before,
# seeds 0 and 1). The stream no longer runs dry: 1,000 decisions take 2-3 passes and 2,800-3,100
# documents scored (18-21 passes, 18,000-21,700 before), on 423-440 documents, 67-72 of the
# candidates accepted from the original's entities (of 430-445 asked).
#
# Since (2026-12-04, F after 100/200/400/600/800/1,000 decisions): a text accepted as the new
# type asked where it comes again (``CandidateStream`` ``ask_answers``), seed 0 0.261/0.396/
# 0.450/0.485/0.534/0.515 (P 0.54, R 0.50 at 1,000; 12 such candidates asked, 11 accepted:
# most recurring brands are in the patterns or already sure); seed 1 0.552 at 800, 0.477 at
# 1,000; seed 2 0.481, 0.557: at 1,000 a mean of 0.516 over three seeds. Tried and not kept: 5 steps per
# document instead of 3 (``--steps 5``), alone seed 0 0.352/0.399/0.473/0.546/0.561/0.559; with
# the answers seeds 0/1/2 at 1,000 0.519/0.534/0.522 (mean 0.525), but seed 1 fell to F 0.029
# (P 0.019) at 800 decisions before coming back: the last step's weights, taken without an
# average, can diverge for a while, and with 3 steps no such fall was seen in four runs.
TEACH_REHEARSAL = 1.0
TEACH_MARKING = "alike-missing"


# ---- a project's documents --------------------------------------------------------------------
def project_docs(project, *, seed: int = 0, exclude: Iterable[int] = ()) -> Iterator[TeachDoc]:
    """A project's to-do documents in a seeded random order, read one at a time (with the spans
    and rejections each holds) from ``project`` (its connection: the calling thread's)."""
    from .store_filter import Filter

    skip = set(exclude)
    ids = [i for i in project.doc_ids(Filter(state="todo")) if i not in skip]
    random.Random(seed).shuffle(ids)
    for doc_id in ids:
        doc = project.get_document(doc_id)
        if doc.state != "todo":  # decided whole since the list was read
            continue
        yield TeachDoc(doc_id, doc.text, tuple((s.start, s.end, s.label) for s in doc.spans),
                       frozenset(project.rejections(doc_id)))


@dataclass
class Patterns:
    """A pattern file's matcher for one ``nlp`` (built in the thread that owns it)."""

    path: str
    matcher: object = field(default=None, repr=False)

    def for_vocab(self, vocab):
        from .patterns import PatternMatcher, read_patterns

        if self.matcher is None or getattr(self.matcher, "vocab", None) is not vocab:
            self.matcher = PatternMatcher(vocab, read_patterns(self.path))
        return self.matcher


def base_entity_types(spec: str | None) -> set[str]:
    """The entity types a base pipeline predicts, read from its ``meta.json`` without loading
    it (an empty set for ``blank:LANG``, or when it cannot be read)."""
    import json
    from pathlib import Path

    from .pipeline import pipeline_config

    if not spec or str(spec).startswith("blank:") or pipeline_config(spec) is None:
        return set()
    path = Path(str(spec))
    if not path.is_dir():
        try:
            import spacy

            root = spacy.util.get_package_path(str(spec))
            path = next((p.parent for p in sorted(root.glob("*/config.cfg"))), root)
        except Exception:
            return set()
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        config = pipeline_config(path)
    except (OSError, ValueError):
        return set()
    names = [n for n, c in config.get("components", {}).items() if c.get("factory") in ("ner", "beam_ner")]
    return {label for n in names for label in (meta.get("labels") or {}).get(n, [])}


def review_labels(project_labels: Sequence[str], base_spec: str | None) -> list[str]:
    """The types the review mode asks about: the project's labels its base pipeline does not
    predict (the new types); all of them if it predicts every one."""
    old = base_entity_types(base_spec)
    return [label for label in project_labels if label not in old] or list(project_labels)


def teach_learn_settings(**changes):
    """How much the review mode's learner learns each decided document: 3 steps, 4 earlier
    documents, the last step's weights (no moving average, no chosen rehearsal texts: both
    measured lower here, see above), as the figures in this module were measured."""
    from .learner import LearnSettings

    return LearnSettings(**{"steps": 3, "replay": 4, "average": False, "hard": 0.0, **changes})


def teach_settings(**changes):
    """The trainer's settings for the learner of the review mode (``TEACH_REHEARSAL`` rehearsal
    text per document, marked ``TEACH_MARKING`` for the new component)."""
    from .settings import TrainSettings

    return TrainSettings(**{"rehearsal": TEACH_REHEARSAL, "rehearsal_marking": TEACH_MARKING, **changes})
