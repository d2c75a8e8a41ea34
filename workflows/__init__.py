"""The application core: the workflows that the command line (compose.py) and the staff studio
both call. Each takes the install's settings (common.settings.Settings) and its arguments and
returns a result object; none prints, asks, or sets an exit code (the faces do).

    content.py        check and build an issue (CheckResult: problems, per-language summaries)
    sending.py        prepare a send, plan it, test-send, send (progress callback, cancel)
    web_editions.py   a send's web editions: published and their links checked before any family
    reach.py          who an issue reached (per language and school) and who it did not

Mistakes are common.errors.NewsletterError (and its families), raised with every problem at once.
"""
