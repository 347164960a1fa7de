"""html_to_text: feed markup to the plain text detectors quote from."""

from __future__ import annotations

from sources.plaintext import html_to_text, looks_like_html


def test_tags_scripts_and_entities() -> None:
    markup = "<p>Acme <b>raises</b> &pound;5M&nbsp;seed</p><script>var x = '<p>';</script><style>p{}</style>"
    assert html_to_text(markup) == "Acme raises £5M seed"


def test_paragraphs_and_breaks_become_lines() -> None:
    assert (
        html_to_text("<div>One<br>Two</div><ul><li>Three</li><li>Four</li></ul>") == "One\nTwo\nThree\nFour"
    )


def test_broken_markup_keeps_the_words() -> None:
    assert html_to_text("<p>Unclosed <i>italic and <a href='x'>link") == "Unclosed italic and link"


def test_looks_like_html() -> None:
    assert looks_like_html("a <b>bold</b> move") and looks_like_html("Fish &amp; Chips")
    assert not looks_like_html("A < B and C > D") and not looks_like_html("AT&T buys")
