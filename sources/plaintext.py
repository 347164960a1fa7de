"""HTML to plain text, for feed summaries and content.

Detectors read plain sentences and quote them as evidence, so markup, scripts and entity references
must go while the words and paragraph breaks stay. The standard library's `html.parser` is enough for
that and tolerates the broken markup feeds carry; no extra dependency is needed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose start or end is a line break in the rendered text.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is never readable text.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/][^>]*>|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    """True when `text` holds tags or entity references, i.e. stripping it would change it."""
    return bool(_LOOKS_LIKE_HTML.search(text))


def html_to_text(markup: str) -> str:
    """The readable text of an HTML fragment: tags, scripts and styles removed, entities decoded,
    runs of spaces collapsed, one line per paragraph (so evidence quoted from it reads naturally)."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return normalise_whitespace("".join(extractor.parts))


def normalise_whitespace(text: str) -> str:
    """Spaces collapsed inside lines, blank lines dropped, ends trimmed."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
