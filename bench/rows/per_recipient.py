"""Row 2: what one more recipient costs: our MessageTemplate vs a fresh EmailMessage each time.

Ours: Personalizer.envelope (signs the unsubscribe and preference links) + MessageTemplate.render.
Naive: the same envelope and token filling, then a fresh email.message.EmailMessage with the
same headers, set_content(text) + add_alternative(html), as_bytes(). Both produce the same
message for the same family, so the ratio is the price of building MIME per recipient.
"""
from __future__ import annotations

import datetime as dt
import email
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, format_datetime

from bench_common import Row, duration, interleaved, load_issue, per_call, personalizer, sender

NAMES = ["Ana Pérez", "Omar Haddad", "Joe Smith", None, "Nguyễn Linh", "Mei Chen"]


def recipients(count: int, language: str = "en"):
    from mailer.store.row_types import Recipient
    return [Recipient(1000 + i, f"family{i}@example.org", NAMES[i % len(NAMES)], language, ("aiken",), ())
            for i in range(count)]


def template(issue, lang: str = "en"):
    """The language's MessageTemplate exactly as a send builds it."""
    return sender(issue, None, None).template(lang)


def envelopes(issue, template_, people):
    p = personalizer(issue)
    return [p.envelope(r, template_.lang, p.message_id(r.id)) for r in people]


def naive_bytes(template_, envelope) -> bytes:
    """One message built the usual way with Python's email package."""
    message = EmailMessage()
    message["From"] = formataddr(template_.sender)
    if template_.reply_to:
        message["Reply-To"] = template_.reply_to
    message["To"] = formataddr((envelope.to_name or "", envelope.to_email))
    message["Subject"] = template_.email.subject
    message["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = envelope.message_id
    message["List-Id"] = template_.list_id
    message["List-Unsubscribe"] = envelope.list_unsubscribe
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(template_.text_for(envelope.values))
    message.add_alternative(template_.html_for(envelope.values), subtype="html")
    message["Content-Language"] = template_.lang       # after the body: set_content drops Content-* headers
    return message.as_bytes()


def parse_check(data: bytes, envelope) -> str:
    """Parse one of our messages back and list what a mail client would complain about."""
    parsed = email.message_from_bytes(data, policy=policy.default)
    problems = [f"{type(d).__name__}" for part in parsed.walk() for d in part.defects]
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()
    unsubscribe = envelope.list_unsubscribe.strip("<>").split(">")[0]
    if unsubscribe not in html:
        problems.append("unsubscribe link missing from the HTML")
    if parsed.get_content_type() != "multipart/alternative" or not text.strip():
        problems.append("not multipart/alternative with a text part")
    if problems:
        return f"parse check: {len(problems)} problem(s): {', '.join(problems)}"
    return ("parse check: email.message_from_bytes(policy=default) reads our message back with no defects "
            f"(multipart/alternative, {len(data):,} bytes, unsubscribe link in the HTML)")


def run(ctx) -> Row:
    row = Row(2, "Per recipient: envelope + MessageTemplate.render vs fresh EmailMessage", ">= 10x cheaper")
    issue = load_issue()
    template_ = template(issue)
    people = recipients(50)
    p = personalizer(issue)
    count, repeats = (40, 3) if ctx.quick else (200, 9)
    cycle = [people[i % len(people)] for i in range(count)]

    def ours() -> float:
        return per_call(lambda: [template_.render(p.envelope(r, "en", p.message_id(r.id))) for r in cycle], 1) / count

    def naive() -> float:
        return per_call(lambda: [naive_bytes(template_, p.envelope(r, "en", p.message_id(r.id))) for r in cycle],
                        1) / count

    prebuilt = envelopes(issue, template_, cycle)
    medians = interleaved({"ours": ours, "naive": naive,
                           "render": lambda: per_call(lambda: [template_.render(e) for e in prebuilt], 1) / count},
                          repeats)
    mine, theirs, floor = medians["ours"], medians["naive"], medians["render"]
    row.ours, row.reference = f"{duration(mine)}/msg", f"{duration(theirs)}/msg"
    row.judge(theirs / mine, at_least=10)
    row.data = {"ours_s_per_msg": mine, "naive_s_per_msg": theirs, "render_only_s_per_msg": floor,
                "messages_per_repeat": count, "repeats": repeats}
    row.notes.append(f"English edition; {count} messages per repeat, median of {repeats}; "
                     f"render alone (envelopes prebuilt) {duration(floor)}/msg, so signing links costs "
                     f"{duration(mine - floor)}/msg")
    envelope = p.envelope(people[0], "en", p.message_id(people[0].id))
    row.notes.append(parse_check(template_.render(envelope), envelope))
    return row
