"""The families on the list, as workflows: import a roster (or restore our own export), export,
find them by address or name, look one up, unsubscribe, opt in again, suppress a list. What `subscribers ...` and the studio
call; each returns what happened, for the face to show."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.errors import NewsletterError, StoreError
from common.settings import Settings


def open_store(settings: Settings):
    from mailer.store.subscribers import Store
    return Store.of(settings)


@dataclass
class Imported:
    """What an import did (or, in a dry run, would do). `restored`: the file was the tool's own
    export, restored as exported (`report` is then the restore's)."""
    report: object
    store_description: str
    restored: bool = False
    roster: object = None
    audiences_file: str = ""

    @property
    def refused_rows(self) -> int:
        return 0 if self.restored else len(self.report.rejected)


def import_roster(settings: Settings, file: Path, *, mappings=(), skip_invalid: bool = False, dry_run: bool = False,
                  sheet: str | None = None, audiences: Path | None = None, strict: bool = False,
                  publications=()) -> Imported:
    """Add and update the families of a district roster (.csv/.txt/.xlsx), all or nothing unless
    `skip_invalid`; the tool's own export is restored as exported. Never resubscribes a suppressed
    address. The families follow `publications` (default: those with default_subscribe: true)."""
    from common.yaml_source import display_path
    from mailer.audiences.audiences_file import load_audiences
    from mailer.roster.families import read_roster
    from mailer.roster.importer import import_roster as run_import
    from mailer.roster.restore import is_export, restore_export
    from mailer.roster.spreadsheet import open_table
    from workflows.installed_publications import chosen_publications

    table = open_table(file, sheet)      # its rows stream: a roster of any size in bounded memory
    if is_export(table):                 # `subscribers export`'s own file: restored as exported, not a roster
        with open_store(settings) as store:
            return Imported(restore_export(store, file, dry_run=dry_run, table=table.loaded()), store.description,
                            True)
    found = load_audiences(audiences or settings.audiences)
    chosen = chosen_publications(publications)
    roster = read_roster(file, found, list(mappings), sheet, strict=strict, table=table)
    with open_store(settings) as store:
        report = run_import(store, roster, skip_invalid=skip_invalid, dry_run=dry_run,
                            default_language=chosen[0].languages[0], publications=tuple(publications))
        if not publications:     # default_subscribe publications reach them without a subscription row
            report.publications = tuple(p.slug for p in chosen if p.slug)
        return Imported(report, store.description, False, roster, display_path(found.path))


def export(settings: Settings, out, statuses=()) -> int:
    """Every subscriber (or those of `statuses`) as formula-safe CSV into `out`; how many."""
    from mailer.store.subscriber_export import export_csv
    with open_store(settings) as store:
        return export_csv(store, out, tuple(statuses))


def show(settings: Settings, email: str):
    """(the subscriber with its history, {publication slug: whether the family gets it})."""
    from mailer.store.subscribers import normalize
    from mailer.store.subscriptions import follows, subscriptions_of
    from workflows.installed_publications import all_publications

    with open_store(settings) as store:
        found = store.get(email, history=True)
        if found is None:
            raise StoreError(f"{normalize(email)} is not in the subscriber store.",
                             "check the spelling, or search an export: python compose.py subscribers export",
                             outcome="")
        with store.read() as connection:
            rows = subscriptions_of(connection, found.id)
    return found, {slug: follows(rows, slug, p.default_subscribe) for slug, p in all_publications().items()}


@dataclass(frozen=True)
class FamilyFound:
    """One family a search found: its number (the store's), address, name and status."""
    id: int
    email: str
    name: str
    status: str


def find(settings: Settings, text: str, limit: int = 50) -> list[FamilyFound]:
    """The families whose address or name contains `text` (any case), by address; at most `limit`."""
    from sqlalchemy import func, or_, select

    from mailer.store.tables import subscribers

    words = text.strip().lower()
    if not words:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (select(subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.status)
             .where(or_(func.lower(subscribers.c.email).like(pattern, escape="\\"),
                        func.lower(func.coalesce(subscribers.c.name, "")).like(pattern, escape="\\")))
             .order_by(subscribers.c.email).limit(limit))
    with open_store(settings) as store, store.read() as connection:
        return [FamilyFound(r.id, r.email, r.name or "", r.status) for r in connection.execute(query)]


def address_of(settings: Settings, family_id: int) -> str | None:
    """The address of the family with this number, or None."""
    from mailer.store.subscribers import email_for
    with open_store(settings) as store:
        return email_for(store, family_id)


@dataclass
class Changed:
    address: str
    change: object | None          # the status change (old_status ...), None when nothing changed
    known: bool = True             # the address was in the store before
    publication: str | None = None


def opt_in(settings: Settings, email: str, source: str, publication: str | None = None, by: str = "cli") -> Changed:
    """Subscribe an address again on the family's explicit request, with its source (the only way
    back after a complaint or an unsubscribe); also follow `publication` if given."""
    from mailer.store.subscribers import normalize
    from mailer.store.subscriptions import set_subscription
    from workflows.installed_publications import named_publications

    slug = named_publications((publication,))[0].slug if publication else None
    with open_store(settings) as store:
        change = store.opt_in(email, source=source, by=by)
        if slug:
            with store.write() as connection:
                set_subscription(connection, store.get(email).id, slug, "subscribed", by=by, reason=source)
    return Changed(normalize(email), change, True, slug)


def unsubscribe(settings: Settings, email: str, reason: str = "", publication: str | None = None,
                by: str = "cli") -> Changed:
    """Unsubscribe now, from everything (an unknown address is added as unsubscribed, so no import
    can subscribe it) or from one publication (the family keeps the others)."""
    from mailer.store.subscribers import normalize
    from mailer.store.subscriptions import set_subscription
    from workflows.installed_publications import named_publications

    address = normalize(email)
    if publication is not None:
        slug = named_publications((publication,))[0].slug
        with open_store(settings) as store:
            found = store.get(address)
            if found is None:
                raise StoreError(f"{address} is not in the subscriber store",
                                 f"to keep it from ever being subscribed: python compose.py subscribers unsubscribe "
                                 f"{address}", outcome="nothing was changed")
            with store.write() as connection:
                changed = set_subscription(connection, found.id, slug, "unsubscribed", by=by, reason=reason)
        return Changed(address, changed or None, True, slug)
    with open_store(settings) as store:
        known = store.get(address) is not None
        change = store.set_status(address, "unsubscribed", by=by, reason=reason)
    return Changed(address, change, known)


def suppress(settings: Settings, file: Path, default_status: str = "bounced", reason: str = ""):
    """Suppress a list of addresses (bounces, complaints, opt-outs) from a CSV or text file: the report."""
    from mailer.roster.suppress import suppress as run
    with open_store(settings) as store:
        return run(store, file, default_status, reason)


def school_names(settings: Settings, audiences: Path | None = None):
    """A function from school id to its name (ids where audiences.yaml cannot be read: a nicety)."""
    from mailer.audiences.audiences_file import load_audiences
    try:
        return load_audiences(audiences or settings.audiences).school_name
    except NewsletterError:
        return lambda school_id: school_id
