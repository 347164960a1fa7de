"""What of a document is read: the headline, and the lead (the first two sentences of the body) with its
wire dateline removed. Plain functions over strings, no model: the detector, the training corpus and the
evaluation all cut documents the same way."""

from __future__ import annotations

import re

LEAD_SENTENCES = 2
MAX_UNIT_CHARS = 600

# A sentence ends at . ! ? followed by space and a capital/quote, except after common abbreviations
# ("Inc.", "Corp.", "Jr.", "U.S.", initials).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"“'‘(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Jr|Sr|Mr|Mrs|Ms|Dr|Prof|St|Mt|No|vs|Gen|Gov|Sen|Rep|Dept|Bros|Plc|"
    r"Ave|approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Conn|Mass|Calif|Fla|Ill|Wash)"
    r"|\b[A-Z]|\b(?:[A-Z]\.)+[A-Z])\.$"
)

# A wire dateline before the lead, in the forms the wires use:
#   "NEW YORK (Reuters) - ", "LONDON, Nov 20 (AP) — ", "SINGAPORE -- ",
#   "DUBLIN, Ohio -- (BUSINESS WIRE) -- ", "AUSTIN, Texas, Jan. 5, 2026 /PRNewswire/ -- ",
#   "TORONTO, Jan. 5, 2026 (GLOBE NEWSWIRE) -- ".
# The place starts with a word in capitals; what follows it is a region, a date, an agency in brackets
# or slashes, and a dash.
_PLACE = r"[A-Z][A-Z.'’-]+(?:[ /][A-Z][A-Z.'’-]+)*"
_REGION = r"(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?"
_DATE = r"(?:,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{4}-\d{2}-\d{2}))?"
_AGENCY = r"(?:\s*(?:\([^)]{1,40}\)|/[^/]{2,40}/))?"
_DASH = r"\s*(?:--|—|–|-|:)\s*"
_TAIL = rf"(?:\([^)]{{1,40}}\){_DASH})?(?:#\w+\s*--\s*)?"
_DATELINE = re.compile(
    rf"^\s*{_PLACE}(?:(?=\s*[,(/]){_REGION}{_REGION}{_DATE}{_AGENCY}{_DASH}"
    # A bare place needs a long dash: "IBM - Red Hat deal closes" is a sentence, not a dateline.
    rf"|\s*(?:--|—|–)\s*){_TAIL}"
)


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading wire dateline ("NEW YORK (Reuters) - ")."""
    m = _DATELINE.match(sentence)
    if not m:
        return sentence
    rest = sentence[m.end() :]
    # A dateline is followed by the story; a dash after one capitalised word inside a headline-like
    # sentence ("ACME - the startup ...") is not a dateline when nothing is left.
    return rest if rest.strip() else sentence


def lead_sentences(text: str, n: int = LEAD_SENTENCES) -> list[tuple[int, int]]:
    """Character spans of the first `n` sentences of `text` (abbreviation-aware, no model needed)."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text) and text[start].isspace():
        start += 1
    for m in _SENTENCE_END.finditer(text, start):
        end = m.start()
        if end <= start or _ABBREV.search(text[max(start, end - 12) : end]):
            continue
        spans.append((start, end))
        start = m.end()
        if len(spans) >= n:
            return spans
    end = len(text.rstrip())
    if end > start:
        spans.append((start, end))
    return spans[:n]


def lead(body: str | None, n: int = LEAD_SENTENCES) -> list[str]:
    """The lead of a body: its first `n` sentences (of the first paragraph), dateline removed."""
    if not body or not body.strip():
        return []
    para = re.split(r"\n\s*\n", body.strip(), maxsplit=1)[0]
    out = []
    for k, (s, e) in enumerate(lead_sentences(para, n)):
        sentence = para[s:e].strip()
        if k == 0:
            sentence = strip_dateline(sentence).strip()
        if sentence:
            out.append(sentence[:MAX_UNIT_CHARS])
    return out


def headline(title: str | None) -> str | None:
    """The headline as read: stripped and cut to MAX_UNIT_CHARS (verbatim otherwise, since it is an
    event's evidence), None when empty."""
    if not title or not title.strip():
        return None
    return title.strip()[:MAX_UNIT_CHARS].rstrip()
