"""Small batch-run setups for the pipelines tests: a feed, a CRM export and a config, in a folder."""

from __future__ import annotations

from pathlib import Path

ACME_SERIES_A = (
    "<item><guid>w1</guid><title>Acme Robotics raises $12M Series A led by Harbor Point Ventures</title>"
    "<pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate><link>https://news.example.com/w1</link></item>"
)


def rss(*items: str) -> str:
    """An RSS 2.0 feed with these <item> elements."""
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{"".join(items)}</channel></rss>'


def write_run_config(
    folder: Path,
    *,
    accounts_csv: str,
    feeds: tuple[str, ...] = ("news.xml",),
    news: str | None = None,
    extra: str = "",
) -> Path:
    """Write accounts.csv, news.xml (when `news` is given) and c.toml (as of 2026-11-25, a SQLite
    store and an output folder inside `folder`); `extra` is appended to the TOML. Returns c.toml."""
    if news is not None:
        (folder / "news.xml").write_text(news, encoding="utf-8")
    (folder / "accounts.csv").write_text(accounts_csv, encoding="utf-8")
    feed_list = ", ".join(f'"{f}"' for f in feeds)
    cfg = folder / "c.toml"
    cfg.write_text(
        f"""as_of = "2026-11-25T00:00:00Z"
[store]
url = "sqlite:///{folder / "bs.db"}"
[output]
dir = "{folder / "out"}"
[crm]
accounts = "accounts.csv"
[[sources]]
type = "rss"
feeds = [{feed_list}]
{extra}
""",
        encoding="utf-8",
    )
    return cfg
