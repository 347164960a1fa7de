"""JobChangesSource: CSV and JSON Lines job-change posts -> JobChange + Document."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import DeadLetter, Document, JobChange
from sources.base import ConfigError
from sources.jobchanges import JobChangesSource, job_change_document

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
    assert docs[0] == Document(
        id=f"jobchange:{jane.id}",
        title="Jane Doe joins Acme Robotics as Chief Marketing Officer",
        text="Jane Doe has left Globex Corporation to join Acme Robotics as Chief Marketing Officer.",
        url="https://example.com/posts/1",
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
        source="job-changes",
    )
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
