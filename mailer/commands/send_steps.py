"""The steps of `compose.py send`: set up, send proofs, confirm, print and keep the report."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from common.errors import NewsletterError
from common.yaml_source import display_path
from mailer.commands.web_steps import where_line
from mailer.send.report import families_text

STATUS_COLUMNS = (("sent", "sent"), ("queued", "queued"), ("rejected", "rejected"), ("invalid", "invalid"),
                  ("failed", "failed"), ("in_doubt", "in doubt"))


@dataclass
class SendSetup:
    issue: object
    segment: object
    backend_name: str
    backend: object
    signer: object
    outbox_dir: Path
    reports: Path
    web_url: str

    @classmethod
    def load(cls, issue_dir: Path, segment_name: str, backend: str, outbox_dir: Path, audiences_path,
             reports_dir: Path) -> "SendSetup":
        from blocks.loader import load_issue
        from mailer.audiences.loader import load_audiences
        from mailer.backends import get_backend
        from mailer.publish.naming import web_base
        from mailer.send.links import LinkSigner

        issue = load_issue(issue_dir)
        # the segment's families who follow this issue's publication
        segment = load_audiences(audiences_path).segment(segment_name).of(issue.publication.slug,
                                                                          issue.publication.default_subscribe)
        signer = LinkSigner.from_env(demo=backend == "outbox")
        chosen = get_backend(backend, directory=outbox_dir, issue=issue.key) if backend == "outbox" \
            else get_backend(backend)
        if backend == "outbox" and signer.secret.startswith("demo"):
            click.echo("note: NEWSLETTER_SECRET is not set; links are signed with a demo secret (outbox only).",
                       err=True)
        pub = issue.publication
        web_url = f"{web_base(pub, signer.base_url)}/{issue.slug}"
        return cls(issue, segment, backend, chosen, signer, outbox_dir, reports_dir / issue.key, web_url)

    def open_store(self):
        from mailer.store.subscribers import Store
        return Store.open()

    def sender(self, store, *, progress=None, **options):
        from mailer.send.personalize import Personalizer
        from mailer.send.sender import Sender

        domain = self.issue.publication.sender.email.split("@")[1]
        personalizer = Personalizer(self.issue.key, self.signer, domain, self.web_url)
        return Sender(self.issue, store, self.backend, personalizer, segment_name=self.segment.name,
                      web_url=self.web_url, on_progress=progress.update if progress else None, **options)

    def save(self, report) -> Path:
        path = report.save(self.reports, issue=self.issue.key, segment=self.segment.name, backend=self.backend_name)
        click.echo(f"Report saved: {path}", err=True)
        return path


def editions(setup: SendSetup, plan) -> list[str]:
    """The languages this send would use (all of the issue's if nobody is left to send to)."""
    return sorted(plan.planned) or [lang for lang in setup.issue.languages
                                    if setup.issue.fallback != "hold" or lang == setup.issue.source_lang]


def run_proofs(setup: SendSetup, sender, plan, addresses: list[str]) -> None:
    from mailer.backends.outbox import OutboxBackend
    from mailer.send.proofs import note_proofs, send_proofs

    backend = OutboxBackend(setup.outbox_dir / "proofs", setup.issue.key) if setup.backend_name == "outbox" \
        else setup.backend
    proofs = send_proofs(sender, backend, editions(setup, plan), addresses)
    note_proofs(setup.reports, proofs, setup.backend_name)
    for proof in proofs:
        click.echo(f"  {proof.lang:<8} {proof.to:<32} {proof.result.status}"
                   + (f": {proof.result.detail}" if proof.result.detail else ""))
    where = f" (in {setup.outbox_dir / 'proofs' / setup.issue.key}/)" if setup.backend_name == "outbox" else ""
    click.echo(f"Sent {sum(p.result.status in ('sent', 'queued') for p in proofs)} proofs{where}. Nothing was "
               "sent to families; check them, then run the same command without --test-to.")


def refuse_local_translations(setup: SendSetup, plan) -> None:
    """A real send never carries machine translations made by a server on this computer (the test
    stubs make pseudo-translations: "[VI] Welcome back!" is no language a family reads)."""
    from blocks.i18n.status import language_status, local_providers

    found = {lang: local_providers(language_status(setup.issue, lang))
             for lang, count in sorted(plan.planned.items()) if count and lang != setup.issue.source_lang}
    found = {lang: made for lang, made in found.items() if made}
    if found:
        raise NewsletterError(
            f"the machine translations in {', '.join(found)} were made by "
            f"{', '.join(sorted({p for made in found.values() for p in made}))}, a server on this computer (the "
            "test stubs answer with pseudo-translations): families would get text they cannot read",
            "translate them with the real service (python compose.py translations machine ... without "
            "DEEPL_SERVER_URL or GOOGLE_TRANSLATE_ENDPOINT), or hold them (machine: hold in publication.yaml); "
            "the outbox backend and --test-to send them for trying; --allow-local-translations sends anyway",
            outcome="nothing was sent")


def confirm(setup: SendSetup, sender, plan, yes: bool) -> None:
    """Show the plan and ask; without a terminal, only --yes goes on."""
    from mailer.send.proofs import proofs_sent

    total = sum(plan.planned.values())
    if total == 0:
        return                       # the report after the run says why there was nothing to send
    pub = setup.issue.publication
    click.echo(f"About to send {setup.issue.key} to '{setup.segment.name}' through {setup.backend_name}, "
               f"from {pub.sender.name} <{pub.sender.email}>:")
    for lang, count in sorted(plan.planned.items()):
        subject = sender.template(lang).email.subject
        click.echo(f"  {lang:<8} {count:>7,} {'family' if count == 1 else 'families':<8}   {subject}")
    _print_not_sending(plan)
    done = proofs_sent(setup.reports)
    if done:
        last = done[-1]
        langs = sorted({row["lang"] for row in done})
        click.echo(f"Proofs sent: {', '.join(langs)} (last to {last['to']} at {last['at']})")
    else:
        click.echo("Proofs sent: none yet (send yourself one first: --test-to you@example.org)")
    if yes:
        return
    if not sys.stdin.isatty():
        raise NewsletterError("nothing was sent: there is no terminal to confirm on",
                              "check the plan above, then add --yes to send without asking", outcome="")
    if not click.confirm(f"Send to {families_text(total)} now?", default=False):
        raise NewsletterError("nothing was sent: not confirmed", outcome="")


def _print_not_sending(report) -> None:
    for lang, count in sorted(report.held.items()):
        click.echo(f"Held (not sent until approved): {families_text(count)} reading {lang}")
    for status, count in sorted(report.skipped.items()):
        click.echo(f"Skipped, already {status.replace('_', ' ')} for this issue: {count:,}")
    if report.busy:
        click.echo(f"Being sent by another run right now: {report.busy:,}")
    if report.confirmed:
        click.echo(f"Found delivered before an interruption: {report.confirmed:,}")


def print_report(setup: SendSetup, report, dry_run: bool) -> None:
    if dry_run:
        click.echo(f"Plan (dry run, nothing sent): {families_text(sum(report.planned.values()))}")
        for lang, count in sorted(report.planned.items()):
            click.echo(f"  {lang:<8} {count:>7,}")
        if report.by_school:
            click.echo("By school (a family may follow several):")
            for school, count in sorted(report.by_school.items()):
                click.echo(f"  {school or '(no school)':<24} {count:>7,}")
        _print_not_sending(report)
        _print_editions(setup)
        return
    click.echo(f"{'language':<10}{'planned':>9}" + "".join(f"{label:>10}" for _, label in STATUS_COLUMNS))
    for lang, row in report.rows():
        click.echo(f"{lang:<10}{row['planned']:>9,}" + "".join(f"{row[key]:>10,}" for key, _ in STATUS_COLUMNS))
    _print_not_sending(report)
    if not report.results and report.busy:
        click.echo(f"Nothing to send for this run: another run is sending to the other {families_text(report.busy)} "
                   "right now (its own report tells how that went).")
    elif not report.results:
        click.echo("Nothing to send: every family of this segment already has this issue.")
    not_delivered = sum(report.results[s] for s in ("failed", "rejected", "invalid", "in_doubt"))
    if not_delivered:
        click.echo(f"{families_text(not_delivered)} did not get it: python compose.py report "
                   f"{display_path(setup.issue.path)} --failures lists each with the reason.")
    if setup.backend_name == "outbox" and report.results:
        click.echo(f"Messages are in {setup.outbox_dir / setup.issue.key}/<language>/ (open any .eml in a mail "
                   "program).")
    click.echo(where_line(setup))


def _print_editions(setup: SendSetup) -> None:
    """Per home language: how many families get a human edition, a machine edition, a partial
    one, the English fallback, or nothing yet, and why (all subscribed families of the segment)."""
    from collections import Counter

    from babel import Locale

    from mailer.send.routing import FALLBACK, HOLD, HUMAN, KIND_TEXT, MACHINE, MIXED, Router

    router, families = Router(setup.issue), Counter()
    with setup.open_store() as store:
        for batch in store.recipient_batches(setup.segment.rule):
            families.update(recipient.language for recipient in batch)
    total = sum(families.values())
    if not total:
        return
    click.echo(f"Editions by home language ({total:,} subscribed families of '{setup.segment.name}'):")
    kinds = Counter()
    for language, count in sorted(families.items(), key=lambda item: (-item[1], item[0])):
        route = router.route(language)
        kinds[route.kind] += count
        name = f"{Locale.parse(language).get_display_name('en')} ({language})"
        click.echo(f"  {name:<32} {count:>7,}  {KIND_TEXT[route.kind] + (f' ({route.edition})' if route.edition else ''):<27}"
                   f" {route.reason}")
    click.echo("  " + ", ".join(f"{KIND_TEXT[kind]}: {kinds[kind]:,} ({100 * kinds[kind] / total:.1f}%)"
                                for kind in (HUMAN, MACHINE, MIXED, FALLBACK, HOLD) if kinds[kind]))
