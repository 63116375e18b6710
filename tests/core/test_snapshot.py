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
