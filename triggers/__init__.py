"""Trigger detection: a spaCy pipeline (rules + a bag-of-words classifier trained on the project's own
synthetic headlines + a calibrated scorer) that turns Documents into TriggerEvents.

    from triggers import load_detector
    detector = load_detector()              # bundled pipeline in triggers/model/
    for doc, events in detector.detect_many(documents):
        ...
"""

from __future__ import annotations

from triggers.amounts import find_amounts, parse_amount
from triggers.base import TriggerDetector
from triggers.detector import SpacyTriggerDetector, load_detector
from triggers.roles import normalise_role

__all__ = [
    "SpacyTriggerDetector",
    "TriggerDetector",
    "find_amounts",
    "load_detector",
    "normalise_role",
    "parse_amount",
]
