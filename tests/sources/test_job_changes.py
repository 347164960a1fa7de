"""JobChangesSource: CSV and JSON Lines job-change posts -> JobChange + Document."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.core.step import structured_events
from schemas import DeadLetter, Document, JobChange
from schemas.errors import ConfigError
from sources.jobchanges import JobChangesSource, is_promotion, job_change_document

CASES = Path(__file__).resolve().parents[1] / "cases" / "sources"


def test_csv_posts_become_job_changes_and_documents() -> None:
    items = list(JobChangesSource(CASES / "job_changes.csv").read())
    changes = [i for i in items if isinstance(i, JobChange)]
    docs = [i for i in items if isinstance(i, Document)]
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [c.person for c in changes] == ["Jane Doe", "Raj Patel"]
    jane = changes[0]
    assert jane.new_title == "Chief Marketing Officer" and jane.new_company == "Acme Robotics"
    assert jane.previous_company == "Globex Corporation"
    assert jane.changed_at == datetime(2025, 3, 1, tzinfo=UTC)
    assert docs[0].model_copy(update={"events": []}) == Document(
        id=f"jobchange:{jane.id}",
        title="Jane Doe joins Acme Robotics as Chief Marketing Officer",
        text="Jane Doe has left Globex Corporation to join Acme Robotics as Chief Marketing Officer.",
        url="https://example.com/posts/1",
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
        source="job-changes",
    )
    (hire,) = docs[0].events
    assert (hire.type, hire.company, hire.person, hire.title) == (
        "executive_hire",
        "Acme Robotics",
        "Jane Doe",
        "Chief Marketing Officer",
    )
    assert hire.document_id == docs[0].id and hire.evidence == docs[0].title
    assert hire.published_at == jane.changed_at and hire.url == "https://example.com/posts/1"
    assert docs[1].title == "Raj Patel joins Initech as CFO" and docs[1].text is None
    assert len(dead) == 2
    assert "line 4" in dead[0].error and "person" in dead[0].error
    assert "line 5" in dead[1].error and "someday" in dead[1].error
    assert all(d.component == "job_changes:job_changes.csv" for d in dead)


def test_ids_are_stable_across_runs() -> None:
    first = [i.id for i in JobChangesSource(CASES / "job_changes.csv").read()]
    again = [i.id for i in JobChangesSource(CASES / "job_changes.csv").read()]
    assert first == again


def test_jsonl_posts_with_synonym_keys() -> None:
    items = list(JobChangesSource(CASES / "job_changes.jsonl").read())
    changes = [i for i in items if isinstance(i, JobChange)]
    docs = [i for i in items if isinstance(i, Document)]
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [c.id for c in changes] == ["jc-1", "jc-2"]
    assert changes[0].person == "Jane Doe" and changes[0].new_company == "Acme Robotics"  # name/company keys
    assert docs[0].id == "jobchange:jc-1"
    assert docs[1].title == "Chen Wei becomes Head of Sales"
    assert docs[1].text == "Chen Wei has left Stark Industries and is now Head of Sales."
    assert len(dead) == 2
    assert "line 3" in dead[0].error and "JSON" in dead[0].error
    assert "line 5" in dead[1].error and "new_company" in dead[1].error


def test_document_without_previous_company_or_title() -> None:
    doc = job_change_document(JobChange(id="x", person="Ana Lima", new_company="Umbrella Corp"))
    assert doc.title == "Ana Lima joins Umbrella Corp" and doc.text is None


def test_unknown_extension_and_missing_person_column_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=".csv or .jsonl"):
        JobChangesSource(tmp_path / "posts.xlsx")
    bad = tmp_path / "posts.csv"
    bad.write_text("who,where\nJane,Acme\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="person"):
        list(JobChangesSource(bad).read())


def test_the_event_is_built_from_the_columns_with_the_title_as_given(tmp_path: Path) -> None:
    # Titles a headline parser cuts short ("VP", "Head") are kept whole from the export's column.
    export = tmp_path / "moves.csv"
    export.write_text(
        "person,new_title,new_company,previous_company,date\n"
        "Jordan Ellis,VP Marketing,Polar Signal,Brightline Apps,2026-11-23\n"
        "Ingrid Halvorsen,Head of Demand Generation,Polar Signal,Acme Robotics,2026-11-23\n"
        'Putri Santoso,"Country Manager, Indonesia",Kestrel Pay,,2026-10-26\n',
        encoding="utf-8",
    )
    docs = [i for i in JobChangesSource(export).read() if isinstance(i, Document)]
    events = [d.events[0] for d in docs]
    assert [(e.person, e.company, e.title) for e in events] == [
        ("Jordan Ellis", "Polar Signal", "VP Marketing"),
        ("Ingrid Halvorsen", "Polar Signal", "Head of Demand Generation"),
        ("Putri Santoso", "Kestrel Pay", "Country Manager, Indonesia"),
    ]
    assert all(e.role is None for e in events)  # the pipeline derives it from the title
    assert all(e.evidence in d.content for e, d in zip(events, docs, strict=True))


def test_the_pipeline_gives_each_hire_the_role_of_its_title(tmp_path: Path) -> None:
    # The same normaliser as the detector's and the filings' (schemas.roles); a title that is not an
    # executive one leaves the role empty rather than calling the analyst an executive.
    export = tmp_path / "moves.csv"
    export.write_text(
        "person,new_title,new_company,previous_company,date\n"
        'Dana Okafor,"VP, Demand Generation",Quillfeather Labs,,2026-11-20\n'
        "Tomas Lindqvist,Head of Demand Generation,Quillfeather Labs,,2026-11-20\n"
        "Mei Arakawa,Data Analyst,Quillfeather Labs,,2026-11-20\n",
        encoding="utf-8",
    )
    docs = [i for i in JobChangesSource(export).read() if isinstance(i, Document)]
    roles = [e.role for d in docs for e in structured_events(d)]
    assert roles == ["vp_marketing", "head_of_marketing", None]


def test_a_promotion_is_a_job_change_but_no_hire(tmp_path: Path) -> None:
    export = tmp_path / "moves.csv"
    export.write_text(
        "person,new_title,new_company,previous_company,date\n"
        "Olivia Grant,Head of Marketing,Emberstone Freight Inc.,Emberstone Freight,2026-11-19\n"
        "Elena Petrova,VP Marketing,Papercrane,papercrane,2026-11-02\n"
        "Dana Whitfield,Chief Marketing Officer,Northwind Analytics,Bluebird,2026-11-20\n",
        encoding="utf-8",
    )
    items = list(JobChangesSource(export).read())
    changes = [i for i in items if isinstance(i, JobChange)]
    docs = [i for i in items if isinstance(i, Document)]
    assert [c.person for c in changes] == ["Olivia Grant", "Elena Petrova", "Dana Whitfield"]
    assert [is_promotion(c) for c in changes] == [True, True, False]
    assert [d.events[0].person for d in docs] == ["Dana Whitfield"]


def test_the_date_order_is_decided_once_per_file(tmp_path: Path) -> None:
    path = tmp_path / "moves.jsonl"
    path.write_text(
        '{"person": "Ada Okafor", "new_company": "Acme", "date": "28/02/2026"}\n'
        '{"person": "Ben Lutz", "new_company": "Zeta", "date": "03/04/2026"}\n',
        encoding="utf-8",
    )
    source = JobChangesSource(path)
    changes = [i for i in source.read() if isinstance(i, JobChange)]
    assert [c.changed_at for c in changes] == [
        datetime(2026, 2, 28, tzinfo=UTC),
        datetime(2026, 4, 3, tzinfo=UTC),  # day first, as the rest of the file
    ]
    assert source.notes == []
    path.write_text('{"person": "Ben Lutz", "new_company": "Zeta", "date": "03/04/2026"}\n', encoding="utf-8")
    changes = [i for i in source.read() if isinstance(i, JobChange)]
    assert changes[0].changed_at == datetime(2026, 3, 4, tzinfo=UTC)
    assert len(source.notes) == 1 and "a guess" in source.notes[0]
