"""The web side of a send: publish the editions it renders before any family gets one, then make
sure the links the messages carry work (mailer/publish/). Called by workflows.sending only."""
from __future__ import annotations

from common.errors import ConfigError, NewsletterError
from common.yaml_source import display_path

SKIPPED = "skipped (--skip-link-check)"


def edition_languages(issue) -> list[str]:
    """Every edition a family of this issue can get: the original and each language routed to itself."""
    from mailer.send.routing import Router
    router = Router(issue)
    return [issue.source_lang] + [lang for lang in issue.languages
                                  if lang != issue.source_lang and router.edition(lang) == lang]


def publish_editions(job, sender, delivering: set[str]) -> list[str]:
    """Store every edition the sender renders (the very emails it sends, with their calendar
    files); those of `delivering` replace what an earlier send published. The languages written."""
    from blocks.i18n.localize import localize
    from mailer.publish.published_editions import Rendered, edition_kind, publish
    from mailer.publish.naming import publication_slug

    issue = job.issue
    rendered = {}
    for lang in edition_languages(issue):
        localized = localize(issue, lang)
        rendered[lang] = Rendered(sender.template(lang).email, edition_kind(issue, lang), localized.title,
                                  localized.period)
    return publish(sender.store, publication_slug(issue.publication), issue, job.web_url, rendered, delivering)


def check_links(job, sender, langs: list[str], network: bool) -> str:
    """What was checked, in words; NewsletterError naming the first link that would be dead."""
    from mailer.publish import published_editions as editions, linkcheck
    from mailer.publish.naming import publication_slug

    pub, web_url = job.issue.publication, job.web_url
    links: list[str] = []
    for lang in langs:
        links += [url for url in linkcheck.carried(sender.template(lang).email.html, web_url) if url not in links]
    slug = publication_slug(pub)
    names = {name for e in editions.editions(sender.store, slug, job.issue.slug) for name in
             (f"{e.tag}.html", f"{e.lang}.html")} | {f.name for f in editions.files(sender.store, slug,
                                                                                   job.issue.slug)}
    missing = linkcheck.unpublished(links, web_url, names)
    if missing:
        raise NewsletterError(f"the messages link to {missing[0]}, which this send did not publish",
                              "this is a bug: please report it with the issue folder", outcome="nothing was sent")
    if not network:
        return f"{len(links)} links published (the outbox asks no server: python compose.py serve --demo serves them)"
    asked = linkcheck.to_ask(links)
    for url in asked:
        problem = linkcheck.head(url)
        if problem:
            raise _dead_link(job, url, problem)
    return f"{len(asked)} addresses answered 200: {', '.join(asked)}"


def _dead_link(job, url: str, problem: str) -> ConfigError:
    from mailer.publish.naming import served_by_the_app
    message = f"{url} {problem}: every family would get a dead link there"
    if served_by_the_app(job.issue.publication):
        return ConfigError("NEWSLETTER_BASE_URL", message,
                           "the preference center serves the web editions: run it at that address with the same "
                           "NEWSLETTER_DB (python compose.py serve, or gunicorn: README, 'Running it in "
                           "production'), or correct NEWSLETTER_BASE_URL; to send anyway, add --skip-link-check")
    return ConfigError("web_base_url", message,
                       f"upload the web editions: python compose.py publish {display_path(job.issue.path)} --to "
                       f"DIR, copy DIR/ to {job.web_url.rsplit('/', 1)[0]}/, then send again; or remove "
                       f"web_base_url from {display_path(job.issue.path.parent / 'publication.yaml')} to have "
                       "the preference center serve them; to send anyway, add --skip-link-check")


def before_sending(job, sender, planned: set[str], skip_check: bool) -> str:
    """Publish, then check the links (unless skipped): what the report keeps about it."""
    published = publish_editions(job, sender, planned)
    sender.report.web = {"url": f"{job.web_url}/", "published": published}
    if skip_check:
        return SKIPPED
    return check_links(job, sender, sorted(planned), network=job.backend_name != "outbox")


def before_proofs(job, sender, langs: list[str]) -> str | None:
    """Proofs link to the web edition too: publish what is not published yet (nothing replaces what
    families got). A warning, without stopping the proofs, if a link would be dead; else None."""
    publish_editions(job, sender, set())
    try:
        check_links(job, sender, langs, network=job.backend_name != "outbox")
    except NewsletterError as e:
        return f"{e.problems[0]}\n(a real send would stop here)"
    return None


def where_line(job) -> str:
    """The last line of a send's report: where families find the web edition."""
    from mailer.publish.naming import served_by_the_app
    if job.backend_name == "outbox" and served_by_the_app(job.issue.publication):
        return (f"Web edition and calendar files: {job.web_url}/ (run python compose.py serve --demo to open "
                "them, and every other link in the messages, on this computer)")
    if served_by_the_app(job.issue.publication):
        return f"Web edition and calendar files: {job.web_url}/ (served by the preference center)"
    return (f"Web edition and calendar files: {job.web_url}/ (after a later send, refresh the archive there: "
            f"python compose.py publish {display_path(job.issue.path)} --to DIR, and upload DIR/)")
