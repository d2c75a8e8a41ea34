"""The sending side: who gets the newsletter, in which language, and proof that they got it once.

Sub-packages, in the order data flows through them (each imports only those above it,
plus blocks/ and common/):

    values/     normal forms of what rosters and families write: emails, languages, grades, topics
    store/      the subscriber store: engine, tables, Alembic migrations, subscribers, history, events
    audiences/  audiences.yaml: schools and named segments, parsed into rules that compile to SQL
    roster/     district exports (.csv/.xlsx) -> families -> one import transaction; suppression lists
    message/    one language's message and the per-family envelope: MIME bytes and the header builder
    backends/   outbox, smtp, sendgrid: build_payload -> post -> parse, one retry policy
    send/       the send loop: routing to an edition, signed links, personalization, the send log
    publish/    the web editions a send publishes (store), for the preference center to serve
    reports/    what staff read: import and segment reports, the reach of an issue
    commands/   the click commands (subscribers, audience, send, demo): the command line's face of
                workflows/ (the core), the only CLI layer here

Settings (secrets included) come from common.settings.Settings, handed down by the face.
"""
