"""DocumentsFileSource and iter_documents: JSON Lines Documents from a file or stdin."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import DeadLetter, Document
from schemas.errors import ConfigError
from sources.files import DocumentsFileSource, iter_documents

CASES = Path(__file__).resolve().parents[1] / "cases" / "sources"


def _split(items: list) -> tuple[list[Document], list[DeadLetter]]:
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, DeadLetter)]


def test_file_documents_and_bad_lines_with_line_numbers() -> None:
    docs, dead = _split(list(DocumentsFileSource(CASES / "documents.jsonl").read()))
    assert [d.id for d in docs] == ["doc-1", "2", "doc-8"]
    assert docs[0].published_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert docs[1].text == "Only a body, and a numeric id"  # the unknown "label" key is ignored
    assert docs[2].published_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # naive -> UTC
    lines = {int(d.error.split("line ")[1].split(":")[0]): d for d in dead}
    assert sorted(lines) == [3, 4, 5, 7, 9]
    assert "title" in lines[3].error  # no words
    assert "JSON object" in lines[4].error
    assert "not valid JSON" in lines[5].error
    assert "UTF-8" in lines[7].error and "doc-7" in lines[7].payload  # non-UTF-8 line, the rest goes on
    assert "id" in lines[9].error
    assert all(d.stage == "source" and d.component == "documents:documents.jsonl" for d in dead)


def test_stdin() -> None:
    stdin = io.BytesIO(b'\xef\xbb\xbf{"id": "a", "title": "From stdin"}\n\n{"id": "b"}\n')
    docs, dead = _split(list(DocumentsFileSource("-", stdin=stdin).read()))
    assert [d.title for d in docs] == ["From stdin"]  # a leading BOM is tolerated
    assert len(dead) == 1 and dead[0].component == "documents:stdin" and "line 3" in dead[0].error


def test_iter_documents_reads_text_lines_too() -> None:
    lines = ['{"id": "t1", "text": "Hooli opens a Berlin office"}\n', "oops\n"]
    docs, dead = _split(list(iter_documents(lines, "classify")))
    assert docs[0].id == "t1" and dead[0].component == "classify" and "line 2" in dead[0].error


def test_round_trip_of_what_sources_write(tmp_path: Path) -> None:
    doc = Document(id="rt", title="Round trip", published_at=datetime(2025, 1, 1, tzinfo=UTC), source="s")
    path = tmp_path / "docs.jsonl"
    path.write_text(doc.to_json() + "\n", encoding="utf-8")
    assert list(DocumentsFileSource(path).read()) == [doc]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        list(DocumentsFileSource(tmp_path / "missing.jsonl").read())
