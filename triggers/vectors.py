"""The static word vectors of the pipeline's tok2vec: in triggers/vectors/ after `make vectors`, and in
the bundled pipeline (triggers/model/vocab), which is how the repository ships them.

The table is sentence-transformers/all-MiniLM-L6-v2 distilled with model2vec: one
128-dimensional row per English word (~40k), built by `make vectors`
(scripts/build_vectors.py); triggers/vectors/meta.json says how. `word`, `Word` and
`WORD` are three keys of one row, so headlines in Title Case or capitals get the same
vectors as running text.

Both folders are spaCy pipelines holding the table, so a training config can name either directly:
`[initialize] vectors = "triggers/vectors"`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly
from spacy.vectors import Vectors
from spacy.vocab import Vocab

# `make vectors` writes the table here (not kept in the repository: the bundled pipeline carries the
# same table in its vocab, and one copy keeps the shipped model files small).
BUILT_DIR = Path(__file__).resolve().parent / "vectors"
BUNDLED_MODEL = Path(__file__).resolve().parent / "model"
VECTORS_DIR = BUILT_DIR if (BUILT_DIR / "vocab" / "vectors").is_file() else BUNDLED_MODEL


def vectors_meta(path: Path | str = VECTORS_DIR) -> dict[str, Any]:
    """How the table was built: source model and wheel sha256, versions, dims, words."""
    meta: dict[str, Any] = srsly.read_json(Path(path) / "meta.json")
    return dict(meta["buysignal_vectors"])


def load_static_vectors(vocab: Vocab, path: Path | str = VECTORS_DIR) -> Vectors:
    """Put the shipped table into `vocab` (replacing its vectors) and return it.

    Call it before `nlp.initialize()` so that a tok2vec with
    `include_static_vectors = true` sizes its StaticVectors layer from the table. The
    table's words are added to `vocab.strings`; nothing there is removed.
    """
    folder = Path(path) / "vocab"
    vectors = Vectors(strings=vocab.strings)
    # "strings" would replace the vocab's whole StringStore: the words are added below.
    vectors.from_disk(folder, exclude=["strings"])
    for word in srsly.read_json(folder / "strings.json"):
        vocab.strings.add(word)
    vectors.name = str(srsly.read_json(Path(path) / "meta.json")["vectors"]["name"])
    vocab.vectors = vectors
    return vectors
