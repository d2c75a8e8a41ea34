"""What `translations machine` prints (cli/content_commands.py): the plan, per language and provider with
the characters each provider would bill, and after the run what was stored."""
from __future__ import annotations

from blocks.i18n.machine.order import ProviderOrder
from blocks.i18n.status import language_name
from common.yaml_source import display_path


def plan_lines(plans, order: ProviderOrder, dry_run: bool) -> list[str]:
    lines = [f"Machine translation by {order.display_name}" +
             (" (dry run: nothing sent, nothing stored)" if dry_run else "") + ":",
             f"  {'language':<32} {'texts':>6} {'characters':>11}  provider"]
    for item in plans:
        name = f"{language_name(item.lang)} ({item.lang})"
        if not item.offered:
            lines.append(f"  {name:<32} {'-':>6} {'-':>11}  not offered: {item.why_not}; families keep the fallback")
            continue
        extra = f"  + {len(item.reuse)} already translated elsewhere (free)" if item.reuse else ""
        lines.append(f"  {name:<32} {len(item.todo):>6} {item.characters:>11,}  {item.provider.display_name}{extra}")
        if item.kept_human:
            lines.append(f"    kept: {len(item.kept_human)} human translations of older English (stale) need a "
                         f"translator, not a machine: {', '.join(item.kept_human)}")
    for provider in order.used:
        mine = [item for item in plans if item.offered and item.provider is provider]
        if len(order.used) > 1 and mine:
            lines.append(f"  {'by ' + provider.display_name:<32} {sum(len(p.todo) for p in mine):>6} "
                         f"{sum(p.characters for p in mine):>11,}  characters {provider.display_name} would bill")
    total = sum(item.characters for item in plans)
    lines.append(f"  {'total':<32} {sum(len(p.todo) for p in plans):>6} {total:>11,}  characters to be billed "
                 "(as each provider counts them; repeated English is sent once)")
    return lines


def done_lines(issue, plans, order: ProviderOrder) -> list[str]:
    lines = [""]
    for item in (p for p in plans if p.offered):
        lines.append(f"{language_name(item.lang)} ({item.lang}): {item.filled + len(item.reuse)} texts stored as "
                     f"machine drafts by {item.provider.display_name} ({item.billed:,} characters billed)")
        lines += [f"  left missing, the answer failed the import checks: {context}: {reason}"
                  for context, reason in item.failed]
    lines += [f"note: {note}" for note in order.notes()]
    filled = [item.lang for item in plans if item.offered]
    sent = [lang for lang in filled if issue.machine.sends(lang)]
    held = [lang for lang in filled if not issue.machine.sends(lang)]
    said = []
    if sent:
        said.append(f"{_names(sent)}: sent as machine editions, with a banner saying so")
    if held:
        said.append(f"{_names(held)}: held, as the publication's machine: policy says - families get "
                    f"the fallback ({issue.fallback}) until a reviewer approves them")
    path = display_path(issue.path)
    export = f"python compose.py translations export {path} --lang {filled[0]}" if filled else "translations export"
    if len(filled) > 1:
        export += " (then " + ", ".join(f"--lang {lang}" for lang in filled[1:]) + ")"
    lines.append(f"\nNext: python compose.py build {path} to see them ("
                 + "; ".join(said or ["nothing was filled"]) + f"); review with {export}, then import.")
    return lines


def _names(langs: list[str]) -> str:
    return ", ".join(f"{language_name(lang)} ({lang})" for lang in langs)
