"""JSON from strangers, with its nesting bounded.

`json.loads` recurses once per level and every later walk over the value (pydantic, `json.dumps` of a
dead letter's payload) does too, so `[[[[...]]]]` a hundred thousand levels deep raises
RecursionError wherever it is touched first, far from the input that caused it. Real records nest a
few levels (a JSON Feed item's authors, a Document's events and their filing): anything deeper than
`MAX_JSON_DEPTH` is refused here, at the edge, as bad input.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeep", "loads", "nesting_exceeds"]

MAX_JSON_DEPTH = 64


class JsonTooDeep(ValueError):
    """A JSON value nested deeper than the limit."""


def nesting_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `value` (parsed JSON: dicts, lists, scalars) nests containers more than `limit` deep.
    Walks without recursion, and stops at the first container past the limit."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(data: str | bytes | bytearray, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing (JsonTooDeep, a ValueError) a value nested deeper than `max_depth`,
    including one too deep for the parser itself. Other bad JSON raises ValueError as json does."""
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise JsonTooDeep(f"nested too deep to read (more than {max_depth} levels)") from exc
    if nesting_exceeds(value, max_depth):
        raise JsonTooDeep(f"nested more than {max_depth} levels deep")
    return value
