"""Adding discovered segments to a buysignal TOML config, without disturbing what is there.

The config is a file people edit by hand, with comments and their own layout, so it is never
re-serialised: new `[[segments]]` tables are appended to the end of the existing text, segments
already present by name are left alone, and the result is parsed before it replaces the file.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path

from schemas import Clock, Segment, system_clock, today
from schemas.errors import ConfigError


def _toml_string(value: str) -> str:
    # JSON string escapes (\" \\ \n \t \uXXXX ...) are all valid in a TOML basic string; DEL is the
    # one control character JSON leaves raw and TOML forbids.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"write_segments: cannot write {type(value).__name__} value {value!r} to TOML")


def segment_toml(segment: Segment, newline: str = "\n") -> str:
    """One `[[segments]]` table for a segment: the name first, then only the fields that differ from
    the defaults (so the config reads like one written by hand)."""
    data = segment.model_dump(mode="json", exclude_defaults=True)
    lines = ["[[segments]]", f"name = {_toml_string(segment.name)}"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in data.items() if key != "name"]
    return newline.join(lines) + newline


def _existing_names(path: Path, text: str) -> set[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"write_segments: {path} is not valid TOML ({exc}); fix it before adding segments"
        ) from exc
    segments = data.get("segments", [])
    if not isinstance(segments, list) or not all(isinstance(s, dict) for s in segments):
        raise ConfigError(
            f"write_segments: 'segments' in {path} is not a list of tables; write segments as [[segments]] tables"
        )
    return {str(s.get("name")) for s in segments if s.get("name") is not None}


def write_segments(
    config_path: str | Path, segments: Iterable[Segment], *, clock: Clock = system_clock
) -> list[Segment]:
    """Append segments to a TOML config's `[[segments]]`, skipping names already there.

    The existing text is kept byte for byte; a missing file is created. Running it twice with the
    same segments changes nothing the second time. Returns the segments actually added. Raises
    ConfigError when the file is not valid TOML or the result would not be (e.g. `segments` is an
    inline array, to which TOML allows no appending). The comment above the new tables carries
    `clock`'s date.
    """
    path = Path(config_path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = _existing_names(path, text)
    added: list[Segment] = []
    for segment in segments:
        if segment.name in present:
            continue
        present.add(segment.name)
        added.append(segment)
    if not added:
        return []
    newline = "\r\n" if "\r\n" in text else "\n"
    block = [f"# Segments added by buysignal discover on {today(clock).isoformat()}{newline}"]
    block += [segment_toml(s, newline) for s in added]
    prefix = text
    if prefix and not prefix.endswith("\n"):
        prefix += newline
    if prefix:
        prefix += newline
    new_text = prefix + newline.join(block)
    try:
        tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"write_segments: appending [[segments]] to {path} would make it invalid TOML ({exc}); "
            "if it has 'segments = [...]', rewrite those as [[segments]] tables"
        ) from exc
    # Write next to the file and swap it in, so an interrupted run never leaves half a config.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(new_text)
        # mkstemp makes the file private; keep the config's own permissions (or the usual ones).
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    return added
