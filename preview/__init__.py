"""The live preview for staff (issue #17): `python compose.py preview newsletters/<publication>/<issue>`.

A local web server (server.py) that watches the files an issue is made from (watch.py),
rebuilds only what changed (engine.py), checks what families would get (checks.py,
contrast.py) and pushes each new version to open pages as server-sent events (events.py,
app.py). The page (templates/, static/) shows every language side by side at phone or
desktop width, labels each block with its translation status, and lists problems (the text
`check` prints) while the last good preview stays.

May import blocks/ and common/; never mailer/ or family_web/. Nothing imports it but compose.py.
"""
