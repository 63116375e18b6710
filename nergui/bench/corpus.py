"""Generated projects for the GUI benchmarks: many distinct documents of realistic, varied length.

    texts = distinct_texts(100_000, seed=0)   # every text different, 5 to 300 words

Documents mix five registers (kitchen notes, shop reviews, local news, lab notes, contract
clauses), each with its own words, names and sentence shapes, and their lengths come from a
mix of short comments, paragraphs and long pieces, as a real project holds.
"""

from __future__ import annotations

import random

REGISTERS = {
    "kitchen": ("simmer the stock with garlic onion and thyme for twenty minutes then strain it through a fine sieve "
                "before adding the rice slowly while stirring until creamy season with salt pepper lemon butter "
                "parmesan roast the squash at high heat toss with oil cumin chili and serve warm over greens").split(),
    "shop": ("the jacket fits true to size and the wool feels soft but the zipper broke after two weeks of daily wear "
             "customer service replaced it quickly shipping took four days colour matches the photos seams are "
             "neat price is fair for the quality boots need breaking in leather smells great").split(),
    "news": ("the council approved the new budget on tuesday after a long debate about road repairs school funding "
             "and the harbour project residents gathered outside city hall while the mayor promised a public "
             "hearing next month officials said construction would begin in spring").split(),
    "lab": ("samples were centrifuged at four degrees and the supernatant was discarded cells were washed twice in "
            "buffer and incubated overnight with the antibody expression of the protein increased threefold "
            "compared with controls replicate wells showed low variance the assay was repeated").split(),
    "legal": ("the licensee shall not assign this agreement without prior written consent of the licensor any notice "
              "under this agreement must be delivered in writing to the address stated above the parties agree "
              "that the courts of the state shall have exclusive jurisdiction over any dispute").split(),
}
NAMES = ("Harbor Lane Roasters", "Maria Lopez", "Acme Textiles", "Northfield", "Dr. Aiko Tanaka", "Bluefern Labs",
         "Kessler & Voss LLP", "Portland", "Copper Kettle", "Jonas Weber", "Riverside Council", "Saffron Hill",
         "Tidewater Beans", "Helsinki", "Pourwell", "Gamma Biotech", "Lindqvist", "Oakridge", "Summit Outfitters")
# lengths in words: short comments, paragraphs and long pieces (weights), all within 5 to 300
LENGTHS = ((0.45, 5, 30), (0.40, 31, 120), (0.15, 121, 300))


def _length(rng: random.Random) -> int:
    x = rng.random()
    for weight, low, high in LENGTHS:
        if x < weight:
            return rng.randint(low, high)
        x -= weight
    return rng.randint(LENGTHS[-1][1], LENGTHS[-1][2])


def document(rng: random.Random, n_words: int) -> str:
    """One document of ``n_words`` words in a register drawn at random, with names and sentences."""
    words = REGISTERS[rng.choice(tuple(REGISTERS))]
    out: list[str] = []
    sentence = 0
    while len(out) < n_words:
        if rng.random() < 0.06:
            name = rng.choice(NAMES).split()
            out.extend(name[: n_words - len(out)])
            continue
        word = rng.choice(words)
        out.append(word.capitalize() if sentence == 0 else word)
        sentence += 1
        if sentence > 6 and rng.random() < 0.15 and len(out) < n_words:
            out[-1] += "."
            sentence = 0
    return " ".join(out).rstrip(".") + "."


def distinct_texts(n: int, *, seed: int = 0) -> list[str]:
    """``n`` different texts of 5 to 300 words (a duplicate drawn is drawn again)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        text = document(rng, _length(rng))
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out
