"""JSON Merge Patch (RFC 7396): how `PATCH /api/v1/subscriptions/ID` changes a subscription.

A patch is a JSON object: each member it names replaces that member of the target, an object
merges into the target's object member by member (so `{"filters": {"types": ["ipo"]}}` changes the
types and keeps every other filter), `null` removes a member (it returns to its default), and an
array replaces the whole array. Members the patch does not name stay as they are.
"""

from __future__ import annotations

from typing import Any

MEDIA_TYPE = "application/merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """The result of applying `patch` to `target` (neither is changed), as RFC 7396 section 2 says."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
