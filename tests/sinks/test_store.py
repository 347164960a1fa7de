"""The SQL store: idempotent upserts, readers, feed state, run history, review queue, campaign
entries, on SQLite and on PostgreSQL (every test taking `store` runs on both)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from moving_clock import MovingClock
from sink_factories import (
    AS_OF,
    fill_crm,
    make_account,
    make_batch,
    make_dead_letter,
    make_entry,
    make_event,
    make_match,
)

from schemas import FeedState, MatchCandidate
from schemas.errors import ConfigError
from sinks.base import Batch, Sink
from sinks.store import Store, review_id


def test_writing_the_same_batch_twice_changes_nothing(store: Store, clock: MovingClock) -> None:
    batch = make_batch(clock=clock)
    store.write(batch)
    fill_crm(store)
    first_dump, first_counts = store.dump(), store.counts()

    clock.advance(minutes=5)  # a re-run recreates its dead letters with a later occurred_at
    rerun = make_batch(clock=clock)
    assert rerun.dead_letters[0].occurred_at != batch.dead_letters[0].occurred_at
    store.write(rerun)
    fill_crm(store)

    assert store.counts() == first_counts
    assert store.dump() == first_dump
    assert first_counts["events"] == 5 and first_counts["dead_letters"] == 2
    assert first_counts["review_queue"] == 1  # the one ambiguous match


def test_store_is_a_sink(store: Store) -> None:
    assert isinstance(store, Sink)
    assert Store.name == "store"


def test_records_read_back_equal_to_what_was_written(store: Store) -> None:
    batch = make_batch()
    store.write(batch)
    fill_crm(store)
    assert store.events() == sorted(batch.events, key=lambda e: (e.published_at, e.event_id))
    assert store.matches() == sorted(batch.matches, key=lambda m: m.event_id)
    assert store.documents() == list(batch.documents)
    assert store.accounts() == [make_account(n) for n in range(5)]
    assert store.dead_letters() == sorted(batch.dead_letters, key=lambda d: (d.occurred_at, d.id))
    assert {e.event_id for e in store.campaign_entries()} == {e.event_id for e in batch.entries}
    event = store.events()[-1]
    assert event.published_at is not None and event.published_at.tzinfo is not None
    assert isinstance(event.amount, int)
    assert len(store.contacts()) == 5 and store.opportunities()[0].created_date == date(2026, 1, 2)


def test_an_upsert_updates_the_row_in_place(store: Store) -> None:
    store.upsert_events([make_event(1)])
    store.upsert_events([make_event(1, confidence=0.5, company="Renamed AG")])
    (event,) = store.events()
    assert (event.confidence, event.company) == (0.5, "Renamed AG")


def test_duplicate_ids_in_one_call_collapse_to_the_last(store: Store) -> None:
    written = store.upsert_accounts([make_account(1, owner="A"), make_account(1, owner="B")])
    assert written == 1
    assert [a.owner for a in store.accounts()] == ["B"]


def test_large_batches_are_written_in_chunks(store: Store) -> None:
    events = [make_event(n) for n in range(4500)]  # more than two executemany chunks
    assert store.upsert_events(events) == 4500
    assert store.upsert_events(events) == 4500
    assert store.counts()["events"] == 4500


def test_events_reader_filters_by_date_and_type(store: Store) -> None:
    store.upsert_events(
        [
            make_event(1),
            make_event(48, type="executive_hire", round=None, role="cmo"),
            make_event(3, published_at=None),
        ]
    )
    assert [e.event_id for e in store.events(since=AS_OF - timedelta(hours=24))] == ["ev-00001"]
    assert [e.event_id for e in store.events(types=["executive_hire"])] == ["ev-00048"]
    assert len(store.events()) == 3


def test_feed_state_round_trip(store: Store) -> None:
    url = "https://news.example/feed.xml"
    assert store.get_feed_state(url) is None
    state = FeedState(
        url=url, etag='"v1"', last_modified="Tue, 24 Nov 2026 10:00:00 GMT", fetched_at=AS_OF, status=200
    )
    store.set_feed_state(state)
    assert store.get_feed_state(url) == state
    newer = state.model_copy(update={"etag": '"v2"', "status": 304})
    store.set_feed_state(newer)
    assert store.get_feed_state(url) == newer
    assert store.counts()["feed_state"] == 1


def test_run_history_grows_per_run_and_stays_out_of_the_dump(store: Store, clock: MovingClock) -> None:
    before = store.dump()
    first = store.start_run({"config": "demo.toml", "path": date(2026, 1, 1)})
    store.finish_run(first, "ok", {"events": 3, "dead_letters": 0})
    clock.advance(hours=1)
    second = store.start_run("demo.toml, 3 feeds")
    store.finish_run(second, "failed", {}, error="boom: fix the feed URL")
    runs = store.runs()
    assert [r.run_id for r in runs] == [second, first]
    assert runs[1].status == "ok" and runs[1].counts == {"events": 3, "dead_letters": 0}
    assert runs[1].config == {"config": "demo.toml", "path": "2026-01-01"}
    assert runs[0].error == "boom: fix the feed URL" and runs[0].finished_at is not None
    assert runs[0].config == {"summary": "demo.toml, 3 feeds"}
    assert store.counts()["runs"] == 2
    assert store.dump() == before


def test_a_started_run_is_recorded_as_running(store: Store) -> None:
    run_id = store.start_run()
    (run,) = store.runs()
    assert (run.run_id, run.status, run.finished_at) == (run_id, "running", None)


def test_finishing_an_unknown_run_names_it(store: Store) -> None:
    with pytest.raises(KeyError, match="no-such-run"):
        store.finish_run("no-such-run", "ok", {})


def test_accepting_a_review_records_an_alias_and_fixes_the_match(store: Store) -> None:
    store.write(make_batch())
    fill_crm(store)
    (item,) = store.list_reviews()
    assert item.id == review_id("ev-00001") and item.status == "pending" and len(item.candidates) == 2

    decided = store.decide_review(item.id, accept=True)
    assert decided.status == "accepted" and decided.account_id == "acc-00001"
    assert decided.decided_at is not None
    assert store.aliases() == {"Company 1 GmbH": "acc-00001"}
    match = next(m for m in store.matches() if m.event_id == "ev-00001")
    assert (match.account_id, match.account_name, match.ambiguous, match.method) == (
        "acc-00001",
        "Company 1",
        False,
        "review",
    )
    assert store.list_reviews() == []
    assert [r.id for r in store.list_reviews("accepted")] == [item.id]


def test_an_accepted_decision_survives_a_rerun(store: Store) -> None:
    batch = make_batch()
    store.write(batch)
    store.decide_review(review_id("ev-00001"), accept=True, account_id="acc-99999")
    store.write(batch)  # the matcher still says "ambiguous": the person's decision wins
    store.upsert_matches(batch.matches)
    match = next(m for m in store.matches() if m.event_id == "ev-00001")
    assert (match.account_id, match.account_name, match.ambiguous) == (
        "acc-99999",
        "Company One Holdings",
        False,
    )
    fresh = store.apply_review_decisions(batch.matches)
    assert [m.account_id for m in fresh] == ["acc-00000", "acc-99999", None, "acc-00003", "acc-00004"]
    assert store.list_reviews("accepted")[0].account_id == "acc-99999"


def test_a_rejected_review_means_no_account_until_the_matcher_is_sure(store: Store) -> None:
    batch = make_batch()
    store.write(batch)
    store.decide_review(review_id("ev-00001"), accept=False)
    store.write(batch)
    match = next(m for m in store.matches() if m.event_id == "ev-00001")
    assert (match.account_id, match.ambiguous, match.method) == (None, False, "review")
    assert store.list_reviews() == []
    confident = make_match(1, account_id="acc-55555", account_name="Found Later")
    assert store.apply_review_decisions([confident]) == [confident]


def test_accepting_another_candidate_and_then_rejecting(store: Store) -> None:
    store.write(make_batch())
    (item,) = store.list_reviews()
    store.decide_review(item.id, accept=True, account_id="acc-99999")
    assert store.aliases() == {"Company 1 GmbH": "acc-99999"}
    match = next(m for m in store.matches() if m.event_id == "ev-00001")
    assert match.account_name == "Company One Holdings"  # not in the CRM table: name from the candidate

    rejected = store.decide_review(item.id, accept=False)
    assert rejected.status == "rejected" and rejected.account_id is None
    assert store.aliases() == {}  # the alias that decision made goes with it
    match = next(m for m in store.matches() if m.event_id == "ev-00001")
    assert (match.account_id, match.account_name) == (None, None)
    assert [r.id for r in store.list_reviews("rejected")] == [item.id]


def test_readding_a_decided_review_keeps_the_decision(store: Store) -> None:
    batch = make_batch()
    store.write(batch)
    (item,) = store.list_reviews()
    store.decide_review(item.id, accept=False)
    store.add_review_items([m for m in batch.matches if m.ambiguous])
    assert store.list_reviews() == []
    assert store.list_reviews(None)[0].status == "rejected"


def test_accepting_needs_an_account(store: Store) -> None:
    (rid,) = store.add_review_items([make_match(7, ambiguous=True, account_id=None, candidates=[])])
    with pytest.raises(ValueError, match="account_id"):
        store.decide_review(rid, accept=True)
    store.decide_review(rid, accept=True, account_id="acc-00007")
    assert store.aliases() == {"Company 7 GmbH": "acc-00007"}
    with pytest.raises(KeyError, match="list_reviews"):
        store.decide_review("nope", accept=False)


def test_manual_alias(store: Store) -> None:
    store.add_alias("ACME Corp.", "acc-1")
    store.add_alias("ACME Corp.", "acc-2")
    assert store.aliases() == {"ACME Corp.": "acc-2"}


def test_replacing_campaign_entries_drops_rows_that_fell_out(store: Store) -> None:
    store.replace_campaign_entries(
        [make_entry(1), make_entry(2), make_entry(3, segment="any_trigger_7d")],
        segments=["funding_30d", "any_trigger_7d", "new_marketing_leader_90d"],
    )
    # Next run: event 2 is out of the funding window, the 7-day segment is now empty.
    store.replace_campaign_entries(
        [make_entry(1, days_since_event=6)],
        segments=["funding_30d", "any_trigger_7d", "new_marketing_leader_90d"],
    )
    entries = store.campaign_entries()
    assert [(e.segment, e.event_id, e.days_since_event) for e in entries] == [("funding_30d", "ev-00001", 6)]


def test_replacing_one_segment_leaves_the_others(store: Store) -> None:
    store.replace_campaign_entries([make_entry(1), make_entry(3, segment="any_trigger_7d")])
    store.replace_campaign_entries([make_entry(2)])  # segments default to the ones the entries name
    assert sorted((e.segment, e.event_id) for e in store.campaign_entries()) == [
        ("any_trigger_7d", "ev-00003"),
        ("funding_30d", "ev-00002"),
    ]
    assert [e.event_id for e in store.campaign_entries("any_trigger_7d")] == ["ev-00003"]


def test_unmatched_campaign_entries_are_kept(store: Store) -> None:
    store.upsert_campaign_entries(
        [make_entry(1, account_id=None, account_name=None, owner=None), make_entry(2)]
    )
    store.upsert_campaign_entries([make_entry(1, account_id=None, account_name=None, owner=None)])
    assert store.counts()["campaign_entries"] == 2
    assert {e.account_id for e in store.campaign_entries()} == {None, "acc-00002"}


def test_campaign_entries_read_newest_first(store: Store) -> None:
    store.upsert_campaign_entries(
        [
            make_entry(1, event_date=date(2026, 11, 1), account_name="Zeta"),
            make_entry(2, event_date=date(2026, 11, 20), account_name="Beta"),
            make_entry(3, event_date=date(2026, 11, 20), account_name="Alpha"),
        ]
    )
    assert [e.account_name for e in store.campaign_entries("funding_30d")] == ["Alpha", "Beta", "Zeta"]


def test_dead_letters_keep_their_first_time(store: Store) -> None:
    letter = make_dead_letter(1)
    store.add_dead_letters([letter])
    store.add_dead_letters([letter.model_copy(update={"occurred_at": datetime(2030, 1, 1, tzinfo=UTC)})])
    assert store.dead_letters() == [letter]


def test_empty_batch_writes_nothing(store: Store) -> None:
    store.write(Batch())
    assert set(store.counts().values()) == {0}


def test_sqlite_and_postgresql_hold_identical_dumps(postgres_url: str, tmp_path) -> None:
    dumps = []
    batch = make_batch()
    for url in (f"sqlite:///{tmp_path / 'a.db'}", postgres_url):
        with Store(url) as store:
            store.write(batch)
            fill_crm(store)
            store.decide_review(review_id("ev-00001"), accept=False)
            dumps.append(store.dump())
    for dump in dumps:  # decision times differ by construction
        for row in dump["review_queue"]:
            row["decided_at"] = None
    assert dumps[0] == dumps[1]


def test_a_file_store_persists_across_opens(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'buysignal.db'}"
    with Store(url) as store:
        store.write(make_batch())
        dump = store.dump()
    with Store(url) as reopened:  # migrating an up-to-date database is a no-op
        assert reopened.dump() == dump
        assert reopened.dump_json() == Store(url).dump_json()


def test_an_in_memory_store_keeps_its_data_between_calls() -> None:
    with Store("sqlite://") as store:
        store.write(make_batch())
        assert store.counts()["events"] == 5


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("not a url", "database URL"),
        ("mysql://u@localhost/db", "not supported"),
        ("postgresql+nosuchdriver://u@localhost/db", "driver"),
    ],
)
def test_a_bad_url_is_a_config_error_saying_what_to_fix(url: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=fix):
        Store(url)


def test_an_unreachable_server_is_a_config_error_saying_what_to_check() -> None:
    with pytest.raises(ConfigError, match="server is running") as info:
        Store("postgresql+psycopg://postgres:hunter2@127.0.0.1:1/nowhere?connect_timeout=3")
    assert "hunter2" not in str(info.value)


def test_a_missing_database_is_a_config_error(postgres_server: str) -> None:
    with pytest.raises(ConfigError, match="database name"):
        Store("postgresql+psycopg://postgres@127.0.0.1:5432/buysignal_no_such_database")


def test_a_plain_postgresql_url_uses_psycopg(postgres_url: str) -> None:
    with Store(postgres_url.replace("postgresql+psycopg://", "postgresql://")) as store:
        assert store.url.drivername == "postgresql+psycopg" and store.revision() == Store.head_revision()


def test_password_is_not_shown() -> None:
    with pytest.raises(ConfigError) as info:
        Store("mysql://user:secret@localhost/db")
    assert "secret" not in str(info.value)


def test_candidates_survive_the_round_trip(store: Store) -> None:
    store.upsert_matches(
        [make_match(4, candidates=[MatchCandidate(account_id="a", account_name="Ä", score=50.5)])]
    )
    assert store.matches()[0].candidates == [MatchCandidate(account_id="a", account_name="Ä", score=50.5)]


def test_postgresql_leaves_unchanged_rows_untouched(postgres_url: str) -> None:
    # xmin is the transaction that last wrote a row: a re-run of the same input must not rewrite it.
    with Store(postgres_url) as store:
        store.upsert_events([make_event(1), make_event(2)])

        def versions() -> list[str]:
            with store.engine.connect() as conn:
                return list(
                    conn.execute(sa.text("SELECT xmin::text FROM events ORDER BY event_id")).scalars()
                )

        before = versions()
        store.upsert_events([make_event(1), make_event(2, confidence=0.5)])
        after = versions()
    assert after[0] == before[0] and after[1] != before[1]


def test_why_a_match_was_made_is_stored(store: Store) -> None:
    made = make_match(4, matched_by="name is the domain clay.com", method="domain_name")
    near = make_match(
        5,
        account_id=None,
        account_name=None,
        method="none",
        score=67.0,
        review_reason="near_miss",
        candidates=[MatchCandidate(account_id="acc-00005", account_name="Company 5", score=67.0)],
    )
    store.write(Batch(matches=[made, near]))
    assert store.matches() == [made, near]
    (item,) = store.list_reviews()
    assert (item.event_id, item.reason, item.candidates) == ("ev-00005", "near_miss", near.candidates)


def test_a_near_miss_the_matcher_later_decides_alone_leaves_the_queue(store: Store) -> None:
    near = make_match(
        5, account_id=None, account_name=None, method="none", score=67.0, review_reason="near_miss"
    )
    tie = make_match(6, account_id=None, account_name=None, ambiguous=True, review_reason="tie")
    store.write(Batch(matches=[near, tie]))
    store.decide_review(review_id("ev-00006"), accept=False)
    assert [r.event_id for r in store.list_reviews()] == ["ev-00005"]
    # an alias now matches both: the pending near miss has nothing left to decide, the decision stays
    store.write(Batch(matches=[make_match(5, matched_by="alias"), make_match(6, matched_by="alias")]))
    assert store.list_reviews() == []
    assert [(r.event_id, r.status) for r in store.list_reviews(None)] == [("ev-00006", "rejected")]


def test_a_rejected_near_miss_stays_without_an_account(store: Store) -> None:
    near = make_match(
        5, account_id=None, account_name=None, method="none", score=67.0, review_reason="near_miss"
    )
    store.write(Batch(matches=[near]))
    store.decide_review(review_id("ev-00005"), accept=False)
    store.write(Batch(matches=[near]))
    (match,) = store.matches()
    assert (match.account_id, match.method, match.review_reason, match.matched_by) == (
        None,
        "review",
        None,
        None,
    )
    assert store.list_reviews() == []


def test_dead_letters_can_be_read_since_a_time_and_by_component(store: Store) -> None:
    early = make_dead_letter(1, clock=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    late = make_dead_letter(2, clock=lambda: datetime(2026, 11, 20, tzinfo=UTC))
    other = late.model_copy(update={"id": "other", "component": "crm:accounts.csv", "stage": "source"})
    store.add_dead_letters([early, late, other])
    # the same time: by id (a fingerprint's hex digits sort before "other")
    assert store.dead_letters(since=datetime(2026, 11, 10, tzinfo=UTC)) == [late, other]
    assert store.dead_letters(component="crm:accounts.csv") == [other]
    assert store.dead_letters(stage="trigger") == [early, late]
