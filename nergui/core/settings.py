"""Training settings: one typed definition, validated, read by the trainer, the CLI and the app.

No spaCy here, so that the command line's choices and the app's strategy list come from
these types without loading a pipeline library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from ..errors import Msg, TrainingError

Strategy = Literal["new-component", "in-place"]
Unmarked = Literal["fill", "o", "missing"]
RehearsalMarking = Literal["o", "ents", "alike-missing", "unlike-ents"]
Average = Literal["ema", "optimizer", "none"]

STRATEGIES: tuple[str, ...] = get_args(Strategy)
#: every setting that takes one of a few values, and those values
CHOICES: dict[str, tuple[str, ...]] = {"strategy": STRATEGIES, "unmarked": get_args(Unmarked),
                                       "rehearsal_marking": get_args(RehearsalMarking),
                                       "average": get_args(Average)}
#: numeric settings and their bounds (inclusive)
RANGES = (("epochs", 1, 10_000), ("batch_size", 1, 100_000), ("dropout", 0.0, 0.99), ("ema_decay", 0.0, 0.9999),
          ("dev_fraction", 0.0, 0.9), ("oversample", 1, 100), ("dev_rehearsal", 0, 100_000),
          ("learn_rate", 0.0, 1.0))


@dataclass
class TrainSettings:
    """What a training run does. Every option is keyword-only in spirit; defaults are measured."""

    strategy: Strategy = "new-component"
    # 0.25 measured best on the fashion data over 3 seeds: F 0.650, retention 0.989
    # (0.5: F 0.637, retention 0.992; 1.0: F 0.645, retention 0.993; 0: F 0.647, retention 0.962).
    rehearsal: float = 0.25
    epochs: int = 10
    batch_size: int = 8
    dropout: float = 0.35
    learn_rate: float | None = None
    seed: int = 0
    # How tokens the user did not mark are treated for the old types, in place:
    # "fill" (the original model's entities), "o" (not an entity) or "missing".
    unmarked: Unmarked = "fill"
    # How rehearsal texts are marked for the new component: "o" (every token "O"),
    # "ents" (the original's entity tokens "O", the rest missing), "alike-missing" (every
    # token "O" but the original's entities of the types the new ones are found as, e.g. ORG
    # for a brand: missing) or "unlike-ents" (only the original's entities of the other types
    # "O", the rest missing). In-domain text holds the new type, so "o" there teaches the
    # opposite of the annotations (``Trainer.alike_labels``; ``nergui bench learn`` measures them).
    rehearsal_marking: RehearsalMarking = "o"
    # Hold out ``dev_fraction`` of the documents and keep the weights of the epoch with the
    # best joint dev score (new-type F and retention). Off by default: measured on the
    # fashion data, training on every document for 10 epochs beat selecting on a small,
    # noisy dev split (F 0.648 vs 0.632, retention 0.993 vs 0.995).
    early_stopping: bool = False
    # The new component predicts only the labels it is taught; its copied old labels are muted.
    mute_old: bool = True
    # Documents with spans are seen this many times per epoch (the new type is rare).
    oversample: int = 1
    # In place: also distil the original's action scores on the rehearsal texts (nlp.rehearse).
    distill: bool = False
    # Which weights are scored and kept: an exponential moving average of the weights
    # ("ema"), the optimizer's running mean since the start ("optimizer", spaCy's default,
    # which lags far behind in a short online run) or the raw weights ("none").
    average: Average = "ema"
    ema_decay: float = 0.99
    dev_fraction: float = 0.1
    # Rehearsal texts held out to measure retention after every epoch (the forgetting meter).
    dev_rehearsal: int = 100
    # With too few accepted documents to hold any out (and no eval file), cross-validate the
    # new types after training (``nergui.core.crossval``): about four times the training's
    # time (measured, 30 documents on 2 cores: blank:en 13 s, en_core_web_sm 19 s).
    cross_validate: bool = True

    def validate(self) -> None:
        """Refuse a value a setting cannot take, naming it and what it can be (a misspelt
        ``unmarked`` used to mean "fill", a misspelt ``average`` to train raw weights)."""
        if self.strategy not in STRATEGIES:
            raise TrainingError(Msg.BAD_STRATEGY.format(value=self.strategy))
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise TrainingError(Msg.BAD_SETTING.format(
                    name=name, value=value, allowed=", ".join(repr(a) for a in allowed)))
        if not 0.0 <= self.rehearsal <= 1.0:
            raise TrainingError(Msg.BAD_RATIO.format(value=self.rehearsal))
        for name, low, high in RANGES:
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise TrainingError(Msg.BAD_SETTING_RANGE.format(name=name, value=value, low=low, high=high))

    def total_steps(self, n_train: int, n_with_spans: int) -> int:
        """Batches in a run over ``n_train`` documents of which ``n_with_spans`` hold a span
        to learn (those are seen ``oversample`` times an epoch). The one formula: the
        trainer's progress and ETA, the run's report and the panel's first estimate use it."""
        n = n_train + n_with_spans * (max(1, self.oversample) - 1)
        return self.epochs * -(-n // self.batch_size)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
