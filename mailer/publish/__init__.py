"""Web editions: what a send publishes so that "View in your browser" and "Add to calendar" work.

    naming.py     the publication's slug, the issue's web address, language tags and own names
    editions.py   publish a send's editions into the store (web_editions, web_files) and read them back
    web.py        an edition's email HTML made fit for a browser (no per-family tokens or links)
    feeds.py      the archive's Atom feed and the Foodshare subscription calendar
    linkcheck.py  before a send: the links the messages carry are published, and answer 200

`send` publishes the editions it rendered (the very RenderedEmail it sends, calendar files too)
before any family gets one; the preference center (family_web/edition_pages.py) serves them and
`compose.py publish` writes them for a static host. A later edit of the YAML changes nothing
until a send delivers it.
"""
