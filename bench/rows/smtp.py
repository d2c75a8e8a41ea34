"""Row 4: SMTP send to a local sink, against a raw smtplib loop to the same sink.

Ours: mailer.send.Sender with SMTPBackend (security none, default pool of 4 connections),
from a SQLite store on disk, journaling each message in the send log as it does for real.
Reference: one smtplib connection sending pre-built messages (our bytes) in a loop, nothing
else. The sink (aiosmtpd, counts and answers 250) runs in its own process on 127.0.0.1.
"""
from __future__ import annotations

import smtplib
import statistics
import time

from bench_common import Row, cpu_now, duration, load_issue, sender, side_by_side
from fixtures import clear_send_log
from rows.outbox import floor_sample
from servers import LocalServer


def ours_send(issue, store, port: int, families: int, server: LocalServer) -> float:
    """One complete SMTP send from the store; seconds per message.

    The editions are rendered before the clock starts: that one-off cost is row 1's, and at
    a few hundred families it would otherwise weigh more than the SMTP path measured here.
    """
    from mailer.backends.smtp import SMTPBackend
    clear_send_log(store)
    before = server.received()
    send = sender(issue, store, SMTPBackend("127.0.0.1", port, security="none", retries=0))
    for lang in set(issue.languages) | {issue.source_lang}:
        send.template(lang)
    start = time.perf_counter()
    report = send.run(None)
    elapsed = time.perf_counter() - start
    if report.results.get("sent") != families or server.received() - before != families:
        raise RuntimeError(f"SMTP send: {dict(report.results)}, sink got {server.received() - before}")
    return elapsed / families


def raw_loop(blobs: list[tuple[str, bytes]], port: int, count: int, mail_from: str) -> float:
    """smtplib over one reused connection, pre-built bytes; seconds per message."""
    with smtplib.SMTP("127.0.0.1", port) as connection:
        start = time.perf_counter()
        for i in range(count):
            to, data = blobs[i % len(blobs)]
            connection.sendmail(mail_from, [to], data)
        return (time.perf_counter() - start) / count


class CPU:
    """CPU seconds per message of our process and of the sink, per measured side."""

    def __init__(self, server: LocalServer):
        self.server, self.client, self.sink = server, [], []

    def measure(self, fn, count: int):
        def measured() -> float:
            client, sink = cpu_now(), self.server.cpu_seconds()
            result = fn()
            self.client.append((cpu_now() - client) / count)
            if sink is not None:
                self.sink.append((self.server.cpu_seconds() - sink) / count)
            return result
        return measured

    def medians(self) -> tuple[float, float | None]:
        return statistics.median(self.client), statistics.median(self.sink) if self.sink else None

    def summary(self) -> str:
        client, sink = self.medians()
        return f"client CPU {duration(client)}/msg, sink CPU {duration(sink) if sink else '?'}/msg"


def run(ctx) -> Row:
    from mailer.store.subscribers import Store
    families = 100 if ctx.quick else 1_000      # the aiosmtpd sink takes ~140 messages/s of this size
    repeats = 3
    row = Row(4, f"SMTP send of {families:,} families to a local sink vs raw smtplib loop", ">= 0.8x raw rate")
    issue = load_issue()
    url = ctx.stores.copy(families, ctx.workdir / "row4" / "store.db")
    with Store.open(url) as store, LocalServer("smtp") as server:
        pairs = floor_sample(issue, store, 200)
        blobs = [(envelope.to_email, template.render(envelope)) for template, envelope in pairs]
        mail_from = pairs[0][0].email_sender
        our_cpu, raw_cpu = CPU(server), CPU(server)
        mine, raw = side_by_side(
            our_cpu.measure(lambda: ours_send(issue, store, server.port, families, server), families),
            raw_cpu.measure(lambda: raw_loop(blobs, server.port, families, mail_from), families), repeats)
    row.ours, row.reference = f"{1 / mine:,.0f} msg/s", f"{1 / raw:,.0f} msg/s"
    row.judge(raw / mine, at_least=0.8)
    (our_client, our_sink), (raw_client, raw_sink) = our_cpu.medians(), raw_cpu.medians()
    row.data = {"families": families, "ours_s_per_msg": mine, "raw_s_per_msg": raw, "repeats": repeats,
                "ours_client_cpu_s_per_msg": our_client, "ours_sink_cpu_s_per_msg": our_sink,
                "raw_client_cpu_s_per_msg": raw_client, "raw_sink_cpu_s_per_msg": raw_sink}
    row.notes.append(f"{duration(mine)}/msg vs {duration(raw)}/msg; median of {repeats} interleaved repeats; "
                     "sink in its own process; store on disk; pool of 4 connections; editions rendered beforehand"
                     + (" (quick mode: 100 families; the sink takes ~140 messages/s)" if ctx.quick else ""))
    bound = "the sink" if our_sink is None or our_sink >= our_client else "our own CPU (GIL: one core)"
    row.notes.append(f"ours: {our_cpu.summary()}; raw loop: {raw_cpu.summary()}. Ours is bound by {bound}; "
                     f"our CPU alone would cap us at ~{1 / our_client:,.0f} msg/s against a faster server "
                     f"(raw loop: ~{1 / raw_client:,.0f})")
    return row
