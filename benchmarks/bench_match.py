"""Account matching speed and memory at CRM scale, against the naive scan measured in the same run.

    python benchmarks/bench_match.py                      # 1,000,000 accounts, 100,000 mentions
    python benchmarks/bench_match.py --accounts 100000 --mentions 10000

Generates (deterministic seed) accounts with realistic name distributions: invented brand words with
a skewed frequency (some shared by many companies), surnames and places, shared words like "Group",
"Holdings", "Technologies", "Capital", "Systems", legal suffixes of many countries, near-duplicate
sibling companies and a domain for some. Mentions are variants of account names (suffix dropped,
added or changed; case; punctuation; a typo; registry word order; "The") plus unknown companies.
Prints index build time, matching throughput, peak RSS, the quality on the synthetic set, and the
throughput of rapidfuzz.process.extractOne(WRatio) scanning every account, on a small sample.
"""

from __future__ import annotations

import argparse
import pickle
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from matchers import AccountIndex, normalize_company  # noqa: E402
from matchers.normalize import words  # noqa: E402
from schemas import Account  # noqa: E402

SEED = 20261125
ONSETS = words("b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr ch sh th qu")
VOWELS = words("a e i o u ai ea io ou y")
CODAS = ["", "", "n", "r", "s", "x", "l", "m", "nt", "rk", "st", "ck"]
SURNAMES = words("""smith johnson williams brown jones miller davis garcia wilson anderson taylor thomas moore
martin jackson thompson white harris clark lewis robinson walker young allen king wright scott hill green
adams baker nelson carter mitchell roberts turner phillips campbell parker evans edwards collins stewart
morris rogers reed cook morgan bell murphy bailey cooper richardson cox howard ward peterson gray james
watson brooks kelly sanders price bennett wood barnes ross henderson coleman jenkins perry powell long
patterson hughes flores washington butler simmons foster bryant alexander russell griffin hayes myers
ford hamilton graham sullivan wallace woods cole west jordan owens reynolds fisher ellis harrison gibson
mcdonald cruz marshall gomez murray freeman wells webb simpson stevens tucker porter hunter hicks crawford
mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann rossi russo ferrari esposito
bianchi romano dubois durand lefebvre moreau laurent tanaka suzuki watanabe nakamura kobayashi""")
PLACES = words("""pacific atlantic northern southern eastern western midwest texas california florida boston
chicago hudson summit pinnacle river lake mountain valley harbor bay coastal central national american
global united first citizens peoples community heritage liberty pioneer frontier evergreen redwood
cedar oak maple granite silver golden blue green red alpine nordic euro asia metro urban""")
INDUSTRY = words("""technologies systems software solutions networks labs analytics robotics biosciences
therapeutics pharmaceuticals medical health energy solar power resources mining metals chemicals
materials foods beverages brands retail logistics freight transport aviation motors automotive
industries manufacturing engineering construction realty properties homes capital partners ventures
investments financial bancorp bank insurance advisors consulting media entertainment games studios
communications telecom wireless semiconductor devices instruments controls security data cloud digital
services""")
GENERIC = ["group", "holdings", "international", "global", "worldwide", "enterprises", "company", "partners"]
LEGAL = [
    ("Inc.", 30),
    ("Inc", 10),
    ("Corp.", 8),
    ("Corporation", 8),
    ("LLC", 12),
    ("Ltd", 6),
    ("Limited", 4),
    ("Co.", 3),
    ("plc", 2),
    ("GmbH", 4),
    ("AG", 2),
    ("S.A.", 2),
    ("SAS", 1),
    ("B.V.", 2),
    ("N.V.", 1),
    ("Pty Ltd", 2),
    ("Pte. Ltd.", 1),
    ("K.K.", 1),
    ("AB", 1),
    ("Oy", 1),
    ("S.p.A.", 1),
    ("SARL", 1),
    ("LP", 1),
    ("LLP", 1),
    ("Sdn Bhd", 1),
    ("A/S", 1),
    ("", 12),
]
LEGAL_NAMES = [name for name, _ in LEGAL]
LEGAL_WEIGHTS = [w for _, w in LEGAL]


def _word(rng: random.Random) -> str:
    n = rng.choice((2, 2, 3))
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(n))


def make_roots(rng: random.Random, n: int) -> list[str]:
    """Invented brand words, unique."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        w = _word(rng)
        if 4 <= len(w) <= 14 and w not in seen:
            seen.add(w)
            out.append(w)
    return out


def make_names(rng: random.Random, n: int, roots: list[str]) -> list[str]:
    """n company names (not necessarily distinct companies: near-duplicates are wanted)."""
    names: list[str] = []
    r = len(roots)
    while len(names) < n:
        # skewed root choice: a few brand words are shared by many names, most by few
        root = roots[min(int(rng.paretovariate(0.6)) - 1, r - 1) if rng.random() < 0.15 else rng.randrange(r)]
        kind = rng.random()
        if kind < 0.35:
            words = [root, rng.choice(INDUSTRY)]
        elif kind < 0.50:
            words = [root, rng.choice(INDUSTRY), rng.choice(GENERIC)]
        elif kind < 0.62:
            words = [rng.choice(SURNAMES), "&", rng.choice(SURNAMES)]
        elif kind < 0.75:
            words = [rng.choice(PLACES), root, rng.choice(INDUSTRY)]
        elif kind < 0.85:
            words = [rng.choice(PLACES), rng.choice(INDUSTRY), rng.choice(GENERIC)]
        elif kind < 0.93:
            words = [root]
        else:
            words = [rng.choice(SURNAMES), root, rng.choice(INDUSTRY)]
        name = " ".join(w.capitalize() if w != "&" else w for w in words)
        legal = rng.choices(LEGAL_NAMES, LEGAL_WEIGHTS)[0]
        name = f"{name} {legal}".strip()
        names.append(name)
        if rng.random() < 0.08 and len(names) < n:  # a sibling: same brand, other business or region
            sib = f"{' '.join(w.capitalize() if w != '&' else w for w in words[:-1] or words)} " + rng.choice(
                ["Europe", "Asia", "Americas", rng.choice(INDUSTRY).capitalize(), "Holdings"]
            )
            names.append(f"{sib} {rng.choice(LEGAL_NAMES)}".strip())
    return names


def accounts_from(names: list[str], rng: random.Random) -> Iterator[Account]:
    for i, name in enumerate(names):
        domain = None
        if rng.random() < 0.3:
            domain = "".join(ch for ch in name.split()[0].lower() if ch.isalnum()) + f"{i % 97}.com"
        yield Account(account_id=f"ACC{i:07d}", name=name, domain=domain)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.4:
        return word[:i] + word[i + 1 :]
    if op < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]


def make_mentions(
    rng: random.Random, names: list[str], n: int, unknown_roots: list[str]
) -> list[tuple[str, int | None]]:
    """(mention, index of the account it was made from or None for an unknown company)."""
    out: list[tuple[str, int | None]] = []
    for _ in range(n):
        if rng.random() < 0.15:
            words = [rng.choice(unknown_roots).capitalize(), rng.choice(INDUSTRY).capitalize()]
            out.append((" ".join(words) + " " + rng.choice(LEGAL_NAMES), None))
            continue
        i = rng.randrange(len(names))
        words = names[i].split()
        base = [w for w in words if w not in LEGAL_NAMES and w not in ("Pty", "Pte.", "Ltd.", "Sdn", "Bhd")]
        v = rng.random()
        if v < 0.25:
            text = " ".join(base)  # suffix dropped
        elif v < 0.40:
            text = " ".join(base) + " " + rng.choice(["Inc", "Ltd", "Corporation", "GmbH", "LLC"])
        elif v < 0.55:
            text = names[i].upper()
        elif v < 0.65:
            text = names[i].replace(" ", ", ", 1).replace(".", "")
        elif v < 0.80:
            longest = max(range(len(base)), key=lambda k: len(base[k]))
            base = base[:longest] + [_typo(base[longest], rng)] + base[longest + 1 :]
            text = " ".join(base)
        elif v < 0.90 and len(base) >= 2 and "&" not in base:
            text = " ".join([base[-1], *base[:-1]]).upper() + " CORP"  # registry word order
        else:
            text = "The " + " ".join(base)
        out.append((text, i))
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="AccountIndex speed and memory benchmark")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=30, help="mentions for the naive full scan")
    args = parser.parse_args(argv)

    rng = random.Random(SEED)
    t0 = time.perf_counter()
    roots = make_roots(rng, max(1000, args.accounts // 3) + 5000)
    unknown_roots, roots = roots[:5000], roots[5000:]
    names = make_names(rng, args.accounts, roots)
    mentions = make_mentions(rng, names, args.mentions, unknown_roots)
    print(
        f"generated {len(names):,} accounts and {len(mentions):,} mentions in {time.perf_counter() - t0:.1f}s"
    )
    rss_before = peak_rss_mb()

    t0 = time.perf_counter()
    index = AccountIndex.build(accounts_from(names, random.Random(SEED + 1)))
    build_s = time.perf_counter() - t0
    print(f"index build: {build_s:.1f}s ({len(index):,} accounts, {len(index) / build_s:,.0f} accounts/s)")
    print(f"peak RSS after build: {peak_rss_mb():,.0f} MB (before build: {rss_before:,.0f} MB)")

    t0 = time.perf_counter()
    matches = [index.match(text) for text, _ in mentions]
    match_s = time.perf_counter() - t0
    ours_rate = len(mentions) / match_s
    print(f"matching: {len(mentions):,} mentions in {match_s:.1f}s = {ours_rate:,.0f} mentions/s")

    # quality on the synthetic set: an assignment is right when it names the source account or an
    # account with the same normalised name (the generator makes exact duplicates on purpose)
    keys = [normalize_company(n) for n in names]
    copies: dict[str, int] = {}
    for k in keys:
        copies[k] = copies.get(k, 0) + 1
    assigned = correct = unique_known = unique_found = 0
    known = sum(1 for _, i in mentions if i is not None)
    for (_, i), m in zip(mentions, matches, strict=True):
        unique = i is not None and copies[keys[i]] == 1
        unique_known += unique
        if m.account_id is None:
            continue
        assigned += 1
        if i is not None:
            j = int(m.account_id[3:])
            if j == i or keys[j] == keys[i]:
                correct += 1
                unique_found += unique
    ambiguous = sum(m.ambiguous for m in matches)
    print(
        f"synthetic quality: precision {correct / max(assigned, 1):.4f}, recall {correct / max(known, 1):.4f} "
        f"(recall {unique_found / max(unique_known, 1):.4f} on the {unique_known:,} mentions of names that "
        f"exist once; the rest have same-name duplicates and are rightly ambiguous), "
        f"ambiguous {ambiguous:,} ({ambiguous / len(mentions):.1%})"
    )

    print(f"peak RSS after matching: {peak_rss_mb():,.0f} MB")

    sample = [text for text, _ in mentions[: args.naive_sample]]
    t0 = time.perf_counter()
    processed = [utils.default_process(n) for n in names]
    prep_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for text in sample:
        process.extractOne(utils.default_process(text), processed, scorer=fuzz.WRatio, processor=None)
    naive_s = time.perf_counter() - t0
    naive_rate = len(sample) / naive_s
    print(
        f"naive extractOne(WRatio) over all {len(names):,} accounts: {naive_rate:,.2f} mentions/s "
        f"(sample of {len(sample)}, names pre-processed once in {prep_s:.1f}s)"
    )
    print(f"speed-up of AccountIndex over the naive scan: {ours_rate / naive_rate:,.0f}x")

    # Beam ships the index to workers: what that costs
    t0 = time.perf_counter()
    blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    dump_s = time.perf_counter() - t0
    del index, matches, processed  # measure the load as a worker would: without the original
    t0 = time.perf_counter()
    pickle.loads(blob)
    load_s = time.perf_counter() - t0
    print(
        f"pickle: {len(blob) / 1e6:,.0f} MB, dumps {dump_s:.1f}s, loads {load_s:.1f}s (rebuild: {build_s:.1f}s)"
    )
    del blob
    print(f"peak RSS (whole run, pickle round trip included): {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
