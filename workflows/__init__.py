"""The application core: the workflows that the command line (compose.py) and the staff studio
both call. Each takes the install's settings (common.settings.Settings) and its arguments and
returns a result object; none prints, asks, or sets an exit code (the faces do).

    content.py                 check and build an issue (CheckResult: per-language summaries)
    translations.py            status per language, export a PO file, store one, machine drafts
    sending.py                 prepare a send, plan it, test-send, send (progress callback, cancel)
    web_editions.py            a send's web editions: published and their links checked first
    reporting.py               who an issue reached (per language and school) and who it did not
    family_records.py          import a roster (or our export), export, show, opt in, unsubscribe
    installed_publications.py  the publications of newsletters/, as imports and opt-ins name them

Mistakes are common.errors.NewsletterError (and its families), raised with every problem at once.
"""
