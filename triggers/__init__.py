"""Trigger detection: a spaCy pipeline the project trains on real labelled news (see triggers/train.py)
that turns Documents into TriggerEvents.

    from triggers import load_detector
    detector = load_detector()              # bundled pipeline in triggers/model/
    for doc, events in detector.detect_many(documents):
        ...
"""

from __future__ import annotations

from triggers import components as _components  # noqa: F401  (registers the event scorer factory)
from triggers.amounts import find_amounts, parse_amount
from triggers.base import TriggerDetector
from triggers.detector import SpacyTriggerDetector, load_detector

__all__ = [
    "SpacyTriggerDetector",
    "TriggerDetector",
    "find_amounts",
    "load_detector",
    "parse_amount",
]
