"""What `compose.py send` shows: the plan, the proofs, the confirmation, the run's report (the
work itself is workflows.sending)."""
from __future__ import annotations

import sys

import click

from common.errors import NewsletterError
from common.yaml_source import display_path
from workflows.web_editions import SKIPPED, where_line
from mailer.send.run_report import families_text

STATUS_COLUMNS = (("sent", "sent"), ("queued", "queued"), ("rejected", "rejected"), ("invalid", "invalid"),
                  ("failed", "failed"), ("in_doubt", "in doubt"))


def print_proofs(job, proofs) -> None:
    for proof in proofs:
        click.echo(f"  {proof.lang:<8} {proof.to:<32} {proof.result.status}"
                   + (f": {proof.result.detail}" if proof.result.detail else ""))
    where = f" (in {job.outbox_dir / 'proofs' / job.issue.key}/)" if job.backend_name == "outbox" else ""
    click.echo(f"Sent {sum(p.result.status in ('sent', 'queued') for p in proofs)} proofs{where}. Nothing was "
               "sent to families; check them, then run the same command without --test-to.")


def confirm(plan, yes: bool) -> None:
    """Show the plan and ask; without a terminal, only --yes goes on (workflows.sending.send's `confirm`)."""
    if plan.total == 0:
        return                       # the report after the run says why there was nothing to send
    name, address = plan.sender
    click.echo(f"About to send {plan.issue_key} to '{plan.segment}' through {plan.backend}, from {name} <{address}>:")
    for lang, count in sorted(plan.planned.items()):
        click.echo(f"  {lang:<8} {count:>7,} {'family' if count == 1 else 'families':<8}   {plan.subjects.get(lang, '')}")
    _print_not_sending(plan.report)
    if plan.proofs:
        last = plan.proofs[-1]
        langs = sorted({row["lang"] for row in plan.proofs})
        click.echo(f"Proofs sent: {', '.join(langs)} (last to {last['to']} at {last['at']})")
    else:
        click.echo("Proofs sent: none yet (send yourself one first: --test-to you@example.org)")
    if yes:
        return
    if not sys.stdin.isatty():
        raise NewsletterError("nothing was sent: there is no terminal to confirm on",
                              "check the plan above, then add --yes to send without asking", outcome="")
    if not click.confirm(f"Send to {families_text(plan.total)} now?", default=False):
        raise NewsletterError("nothing was sent: not confirmed", outcome="")


def _print_not_sending(report) -> None:
    for lang, count in sorted(report.held.items()):
        click.echo(f"Held (not sent until approved): {families_text(count)} reading {lang}")
    for status, count in sorted(report.skipped.items()):
        click.echo(f"Skipped, already {status.replace('_', ' ')} for this issue: {count:,}")
    if report.busy:
        runs = "; ".join(f"run {name}: {count:,}" for name, count in sorted(getattr(report, "busy_runs", {}).items()))
        click.echo(f"Being sent by another run right now: {report.busy:,}" + (f" ({runs})" if runs else ""))
    if report.confirmed:
        click.echo(f"Found delivered before an interruption: {report.confirmed:,}")


def print_plan(job, plan) -> None:
    """The dry run: families per language and school, what is not sent, the editions by home language."""
    report = plan.report
    click.echo(f"Plan (dry run, nothing sent): {families_text(plan.total)}")
    for lang, count in sorted(report.planned.items()):
        click.echo(f"  {lang:<8} {count:>7,}")
    if report.by_school:
        click.echo("By school (a family may follow several):")
        for school, count in sorted(report.by_school.items()):
            click.echo(f"  {school or '(no school)':<24} {count:>7,}")
    _print_not_sending(report)
    _print_editions(job, plan.editions)


def print_report(job, outcome) -> None:
    """What the run did, per language; who did not get it; where the messages and web edition are."""
    report = outcome.report if hasattr(outcome, "report") else outcome
    click.echo(f"{'language':<10}{'planned':>9}" + "".join(f"{label:>10}" for _, label in STATUS_COLUMNS))
    for lang, row in report.rows():
        click.echo(f"{lang:<10}{row['planned']:>9,}" + "".join(f"{row[key]:>10,}" for key, _ in STATUS_COLUMNS))
    _print_not_sending(report)
    steps = getattr(outcome, "next_steps", [])
    everyone = report.segment_delivered == report.segment_total if report.segment_total else not steps
    if report.stopped:
        click.echo(f"Stopped: {report.stopped}")
    elif not report.results and report.busy:
        click.echo(f"Nothing to send for this run: another run is sending to the other {families_text(report.busy)} "
                   "right now (its own report tells how that went).")
    elif not report.results and everyone:
        click.echo("Nothing to send: every family of this segment already has this issue.")
    elif not report.results:
        click.echo("Nothing sent by this run: nobody was left for it to send to.")
    if report.in_flight_warning:
        click.echo(f"Warning: {report.in_flight_warning}.")
    if report.busy:
        click.echo(f"This run did not wait for the {families_text(report.busy)} another live run holds: that run "
                   "sends them; if it dies, the same command takes them over (at once on the same machine, "
                   "after their ten-minute lease elsewhere).")
    if report.segment_total:
        click.echo(f"The segment: {families_text(report.segment_total)}: {report.segment_delivered:,} have it, "
                   f"{report.busy:,} being sent by another run, {sum(report.held.values()):,} held, "
                   f"{sum(report.not_reached.values()):,} not reached.")
    if steps:
        click.echo(f"{families_text(sum(s.families for s in steps))} of this segment did not get it (any run), "
                   "by status:")
        for step in steps:
            click.echo(f"  {step.status.replace('_', ' '):<9} {step.families:>7,}  {step.note}\n"
                       f"  {'':<9} {'':>7}  -> {step.command}")
        click.echo(f"  python compose.py report {display_path(job.issue.path)} --failures lists each with the reason.")
    else:
        not_delivered = sum(report.results[s] for s in ("failed", "rejected", "invalid", "in_doubt"))
        if not_delivered:
            click.echo(f"{families_text(not_delivered)} did not get it: python compose.py report "
                       f"{display_path(job.issue.path)} --failures lists each with the reason.")
    if job.backend_name == "outbox" and report.results:
        click.echo(f"Messages are in {job.outbox_dir / job.issue.key}/<language>/ (open any .eml in a mail "
                   "program).")
    if getattr(outcome, "link_check", "") == SKIPPED:
        click.echo(f"Link check skipped (--skip-link-check): nothing made sure {job.web_url}/ answers.", err=True)
    elif getattr(outcome, "link_check", ""):
        click.echo(f"Links checked: {outcome.link_check}")
    click.echo(where_line(job))


def _print_editions(job, editions) -> None:
    """Per home language: how many families get a human edition, a machine edition, a partial
    one, the English fallback, or nothing yet, and why (all subscribed families of the segment)."""
    from collections import Counter

    from mailer.send.routing import FALLBACK, HOLD, HUMAN, KIND_TEXT, MACHINE, MIXED

    total = sum(e.families for e in editions)
    if not total:
        return
    click.echo(f"Editions by home language ({total:,} subscribed families of '{job.segment.name}'):")
    kinds = Counter()
    for e in editions:
        kinds[e.kind] += e.families
        click.echo(f"  {e.name:<32} {e.families:>7,}  {KIND_TEXT[e.kind] + (f' ({e.edition})' if e.edition else ''):<27}"
                   f" {e.reason}")
    click.echo("  " + ", ".join(f"{KIND_TEXT[kind]}: {kinds[kind]:,} ({100 * kinds[kind] / total:.1f}%)"
                                for kind in (HUMAN, MACHINE, MIXED, FALLBACK, HOLD) if kinds[kind]))
