"""The training corpus loader: labels as the labellers wrote them, units as the detector reads documents."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from schemas import NEWS_EVENT_TYPES
from triggers.corpus import (
    FAMILIES,
    LABELLED,
    OURS,
    SHARED,
    UNIT_JOIN,
    WRITTEN,
    Row,
    cased_copies,
    entity_spans,
    load_corpus,
    load_labelled,
    load_written,
    row_units,
    title_case,
    training_units,
)

ROWS = {
    "fin_news.jsonl": [
        {"id": "f1", "text": "Globex to buy Initech for $2 bln", "body": None, "types": ["acquisition"],
         "company": "Globex", "counterparty": "Initech", "person": None, "title_role": None, "round": None,
         "amount": None, "currency": None},
        {"id": "f2", "text": "Morgan Stanley raises price target on Globex", "body": None, "types": [],
         "company": None, "counterparty": None, "person": None, "title_role": None, "round": None,
         "amount": None, "currency": None},
    ],
    "tech_news.jsonl": [
        {"id": "t1", "text": "Payzo raises $12M Series A", "body": "LISBON -- Payzo, a payments startup, raised "
         "$12 million. It will hire 40 people.", "types": ["funding_round"], "body_types": ["expansion"],
         "company": "Payzo", "counterparty": None, "person": None, "title_role": None, "round": "series_a",
         "amount": 12000000, "currency": "USD"},
    ],
    "press_releases.jsonl": [
        {"id": "p1", "text": "Tallow Prices IPO", "body": None, "types": ["ipo"], "company": "Tallow",
         "counterparty": None, "person": None, "title_role": None, "round": None, "amount": 90000000,
         "currency": "USD"},
    ],
    "extras/press_releases_surplus_negatives.jsonl": [
        {"id": "x1", "text": "Tallow to host webinar", "body": None, "types": [], "company": None,
         "counterparty": None, "person": None, "title_role": None, "round": None, "amount": None,
         "currency": None},
    ],
}  # fmt: skip


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    for name, rows in ROWS.items():
        path = tmp_path / "train" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return tmp_path


def test_load_corpus_reads_every_family(shared: Path) -> None:
    rows = load_corpus(shared, labelled=False)
    assert [(r.id, r.family) for r in rows] == [
        ("f1", "fin_news"),
        ("f2", "fin_news"),
        ("t1", "tech_news"),
        ("p1", "press_releases"),
        ("x1", "press_releases"),
    ]
    assert [r.id for r in load_corpus(shared, ["tech_news"], labelled=False)] == ["t1"]


def test_ipo_proceeds_are_not_a_funding_amount(shared: Path) -> None:
    ipo = next(r for r in load_corpus(shared) if r.id == "p1")
    assert ipo.fields["amount"] is None and ipo.fields["currency"] is None


def test_missing_corpus_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--shared"):
        load_corpus(tmp_path)


def test_units_are_the_headline_and_the_headline_with_its_lead(shared: Path) -> None:
    row = next(r for r in load_corpus(shared) if r.id == "t1")
    head, both = row_units(row)
    assert head.text == "Payzo raises $12M Series A" and head.types == ["funding_round"]
    assert (
        both.text
        == "Payzo raises $12M Series A"
        + UNIT_JOIN
        + "Payzo, a payments startup, raised $12 million. It will hire 40 people."
    )
    assert both.types == ["funding_round", "expansion"]
    # The company is marked wherever it stands.
    assert [both.text[s:e] for s, e, label in both.spans if label == "COMPANY"] == ["Payzo", "Payzo"]


def test_entity_spans_prefer_the_longer_value_and_whole_words() -> None:
    fields = {"company": "Bank of America", "counterparty": "America", "person": None, "title_role": None}
    assert entity_spans("Bank of America buys America Movil stake", fields) == [
        (0, 15, "COMPANY"),
        (21, 28, "COUNTERPARTY"),
    ]
    assert entity_spans("Americana opens", {"company": "America"}) == []


def test_title_case_and_casing_copies() -> None:
    assert title_case("payzo raises $12M from a fund in lisbon") == "Payzo Raises $12M from a Fund in Lisbon"
    row = Row("r", "tech_news", "payzo raises $12M", None, ["funding_round"], [], {"company": "payzo"})
    units = row_units(row) * 50
    copies = list(cased_copies(units, seed=3))
    assert copies and all(c.text in ("Payzo Raises $12M", "PAYZO RAISES $12M") for c in copies)
    assert all(c.text[s:e].lower() == "payzo" for c in copies for s, e, _ in c.spans)


def test_training_units_are_seeded(shared: Path) -> None:
    rows = load_corpus(shared)
    assert [u.text for u in training_units(rows, 1)] == [u.text for u in training_units(rows, 1)]


def test_the_written_sentences_are_well_formed() -> None:
    rows = load_written()
    assert len(rows) > 300 and WRITTEN.is_file()
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids))
    raw = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    for item in raw:
        assert set(item["types"]) <= set(NEWS_EVENT_TYPES), item["id"]
        for key in ("company", "counterparty", "person", "title_role"):
            if item.get(key):
                assert item[key] in item["text"] or item[key] in (item.get("body") or ""), (item["id"], key)
    covered = {t for r in rows for t in r.all_types}
    assert covered == set(NEWS_EVENT_TYPES)
    assert sum(not r.all_types for r in rows) > len(rows) // 4  # look-alike non-events


def _shingles(text: str, n: int = 7) -> set[str]:
    words = re.findall(r"[a-z0-9$€£%]+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_nothing_the_project_wrote_quotes_the_dev_set() -> None:
    folder = Path(os.environ.get("BUYSIGNAL_SHARED", Path(__file__).resolve().parents[3] / "shared"))
    if not (folder / "devdata").is_dir():
        pytest.skip("../shared is absent: nothing to compare with")
    dev: set[str] = set()
    for line in (folder / "devdata" / "triggers_dev.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            dev |= _shingles(json.loads(line)["text"])
    ours = WRITTEN.read_text(encoding="utf-8") + (WRITTEN.parents[1] / "patterns" / "cues.jsonl").read_text()
    assert not (_shingles(ours) & dev)
    for row in load_labelled():
        assert not (_shingles(f"{row.text} {row.body or ''}") & dev), row.id


def test_the_project_labels_are_well_formed() -> None:
    rows = load_labelled()
    assert len(rows) > 500 and all(r.origin == OURS for r in rows)
    raw = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({item["id"] for item in raw}) == len(raw)
    assert len({item["text"].strip().lower() for item in raw}) == len(raw)  # no story twice
    for item in raw:
        assert item["family"] in FAMILIES, item["id"]
        assert item["origin"] and item["licence"], item["id"]  # where it came from, on what terms
        assert set(item["types"]) | set(item.get("body_types") or []) <= set(NEWS_EVENT_TYPES), item["id"]
        for key in ("company", "counterparty", "person", "title_role"):
            if item.get(key):
                assert item[key] in item["text"] or item[key] in (item.get("body") or ""), (item["id"], key)
        if item.get("round") is not None:
            assert "funding_round" in item["types"] + (item.get("body_types") or []), item["id"]
    by_family = {f: [r for r in rows if r.family == f] for f in FAMILIES}
    for family, mine in by_family.items():
        assert len(mine) > 100, family  # every family gets labels of its own
        assert 0.2 < sum(not r.all_types for r in mine) / len(mine) < 0.7, family  # look-alikes too
    assert {t for r in rows for t in r.all_types} == set(NEWS_EVENT_TYPES)


def test_the_project_labels_are_not_the_shared_corpus_again() -> None:
    folder = Path(os.environ.get("BUYSIGNAL_SHARED", Path(__file__).resolve().parents[3] / "shared"))
    if not (folder / "train").is_dir():
        pytest.skip("../shared is absent: nothing to compare with")
    shared = {r.text.strip().lower() for r in load_corpus(folder, labelled=False)}
    assert not [r.id for r in load_labelled() if r.text.strip().lower() in shared]


def test_leaving_a_family_out_leaves_its_labels_out(shared: Path, tmp_path: Path, monkeypatch) -> None:
    labels = tmp_path / "labelled.jsonl"
    labels.write_text(
        json.dumps({**ROWS["fin_news.jsonl"][0], "id": "L1", "family": "fin_news"})
        + "\n"
        + json.dumps({**ROWS["tech_news.jsonl"][0], "id": "L2", "family": "tech_news"})
        + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("triggers.corpus.LABELLED", labels)
    rows = load_corpus(shared, ["fin_news", "press_releases"])
    assert [(r.id, r.origin) for r in rows if r.family == "fin_news"] == [
        ("f1", SHARED),
        ("f2", SHARED),
        ("L1", OURS),
    ]
    assert "L2" not in {r.id for r in rows}
    assert "L1" not in {r.id for r in load_corpus(shared, labelled=False)}
    labels.write_text(json.dumps({**ROWS["fin_news.jsonl"][0], "id": "L3", "family": "blogs"}) + "\n")
    with pytest.raises(ValueError, match=r"labelled.jsonl:1: family 'blogs'"):
        load_labelled()


def test_families_are_the_three_source_kinds() -> None:
    assert set(FAMILIES) == {"fin_news", "tech_news", "press_releases"}


def test_a_headline_with_a_line_break_is_still_a_headline_unit() -> None:
    row = Row(
        "n", "tech_news", "Payzo raises $12M\nSeries A", "Payzo raised money.", ["funding_round"], [], {}
    )
    head, both = row_units(row)
    assert not head.is_lead and both.is_lead
    (lead_only,) = row_units(Row("m", "tech_news", "", "Payzo raised money.", [], [], {}))
    assert lead_only.is_lead
