"""Connectors that read the outside world into records (see base.py for the Source protocol).

- rss: RssSource (RSS 0.9x/1.0/2.0, Atom, JSON Feed over HTTP or from files)
- crm: AccountsCsvSource, ContactsCsvSource, OpportunitiesCsvSource, read_accounts/contacts/opportunities
- jobchanges: JobChangesSource (CSV / JSON Lines job-change posts -> JobChange + Document)
- files: DocumentsFileSource, iter_documents (JSON Lines Documents, what `classify` reads)
- state: MemoryFeedState, JsonFileFeedState (conditional-GET state without a database)
- sec_edgar: SecEdgarSource (SEC EDGAR Form D and 8-K filings, fair access enforced)
- edgar_filings: the EDGAR parsers (submissions, Form D XML, 8-K items, Atom) and their events

Nothing is imported here, so `import sources.base` stays cheap (no httpx or feedparser).
"""
