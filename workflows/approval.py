"""Ready and approved: an issue's content, fingerprinted, as an editor marked it ready and a sender
approved it. Every face uses these (the studio's buttons, `compose.py approve`, and
workflows.sending.send, which refuses content that is not the approved content when the
publication asks for approval).

    fingerprint(issue_dir, library)      sha256 of what families would get: issue.yaml, its PO files, the
                                         publication (publication.yaml, glossary, its PO files), the
                                         library blocks it includes (and the library's PO files), the
                                         templates' version (block templates and chrome catalogs)
    state(store, issue_dir, library)     ApprovalState: who marked it ready and approved it, and whether
                                         the content is still what they saw
    mark_ready(...), approve(...)        record them (NewsletterError when not allowed, with why)
    require_approval(store, issue, ...)  raises NotApproved when the publication requires approval and the
                                         content is not the approved one

A publication's `approval:` (publication.yaml) is none (the default), required (a sender approves),
or two-person (and the approver is not the issue's last editor: the last to save it in the studio
or to mark it ready).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update

from common.errors import NewsletterError
from mailer.store.tables import issue_approvals, staff_audit

NONE, REQUIRED, TWO_PERSON = "none", "required", "two-person"
_BLOCKS = Path(__file__).resolve().parent.parent / "blocks"
EDITING_ACTIONS = ("save", "new-issue", "ready")


class NotApproved(NewsletterError):
    """The content is not the approved content (never approved, or changed since)."""


def templates_version() -> str:
    """The version of what turns content into email: the block templates and chrome catalogs."""
    digest = hashlib.sha256()
    for root in (_BLOCKS / "templates", _BLOCKS / "i18n" / "chrome"):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".j2", ".po", ".mjml")):
            digest.update(f"{path.relative_to(_BLOCKS).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_files(issue_dir: Path, library: Path | None = None) -> list[tuple[str, Path]]:
    """(name in the fingerprint, file) of everything the fingerprint covers, in a fixed order."""
    from blocks.content_tree import library_folder
    from blocks.loader import load_issue

    issue_dir = Path(issue_dir)
    publication = issue_dir.parent
    library_dir = library_folder(issue_dir, library)
    try:
        included = sorted({b.library for b in load_issue(issue_dir, library_dir=library).blocks if b.library})
        library_yaml = [library_dir / f"{name}.yaml" for name in included]
    except NewsletterError:                    # with problems: every library block counts
        library_yaml = sorted(library_dir.glob("*.yaml"))
    found = [("issue/issue.yaml", issue_dir / "issue.yaml")]
    found += [(f"issue/{p.relative_to(issue_dir).as_posix()}", p) for p in sorted((issue_dir / "i18n").rglob("*.po"))]
    found += [(f"publication/{p.name}", p) for p in (publication / "publication.yaml", publication / "glossary.yaml")
              if p.is_file()]
    found += [(f"publication/{p.relative_to(publication).as_posix()}", p)
              for p in sorted((publication / "i18n").rglob("*.po"))]
    found += [(f"library/{p.name}", p) for p in library_yaml if p.is_file()]
    found += [(f"library/{p.relative_to(library_dir).as_posix()}", p)
              for folder in ("i18n", "chrome") for p in sorted((library_dir / folder).rglob("*.po"))]
    return found


def fingerprint(issue_dir: Path, library: Path | None = None) -> str:
    """The content fingerprint of an issue (64 hex digits): any change to what it covers changes it."""
    digest = hashlib.sha256(f"templates\0{templates_version()}\0".encode())
    for name, path in content_files(issue_dir, library):
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class ApprovalState:
    publication: str
    issue: str
    policy: str                         # none, required, two-person
    current: str                        # the content's fingerprint now
    ready_by: str | None = None
    ready_at: dt.datetime | None = None
    ready_fingerprint: str | None = None
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    approved_fingerprint: str | None = None
    last_editor: str | None = None

    @property
    def ready(self) -> bool:
        return self.ready_fingerprint == self.current

    @property
    def approved(self) -> bool:
        return self.approved_fingerprint == self.current

    @property
    def void(self) -> bool:
        """Approved once, but the content changed since: the approval no longer holds."""
        return self.approved_fingerprint is not None and not self.approved

    @property
    def required(self) -> bool:
        return self.policy != NONE

    @property
    def may_send(self) -> bool:
        return self.approved or not self.required

    def words(self) -> str:
        """The state as staff read it."""
        if self.approved:
            return f"approved by {self.approved_by} on {self.approved_at:%Y-%m-%d %H:%M} UTC"
        if self.void:
            return (f"approval void: the content changed after {self.approved_by} approved it on "
                    f"{self.approved_at:%Y-%m-%d %H:%M} UTC; mark it ready and approve it again")
        if self.ready:
            return f"ready: marked by {self.ready_by} on {self.ready_at:%Y-%m-%d %H:%M} UTC, waiting for approval"
        if self.ready_fingerprint is not None:
            return "changed since it was marked ready: mark it ready again"
        return "not marked ready yet"


def _names(issue_dir: Path) -> tuple[str, str]:
    from blocks.content_tree import default_slug
    from blocks.loader import load_publication

    issue_dir = Path(issue_dir)
    publication = load_publication(issue_dir.parent / "publication.yaml")
    return publication.slug or default_slug(issue_dir.parent, publication.name), issue_dir.name


def _policy(issue_dir: Path) -> str:
    from blocks.loader import load_publication
    return getattr(load_publication(Path(issue_dir).parent / "publication.yaml"), "approval", NONE) or NONE


def state(store, issue_dir: Path, library: Path | None = None) -> ApprovalState:
    publication, issue = _names(issue_dir)
    current = fingerprint(issue_dir, library)
    with store.read() as connection:
        row = connection.execute(select(issue_approvals).where(issue_approvals.c.publication == publication,
                                                               issue_approvals.c.issue == issue)).first()
        editor = connection.execute(
            select(staff_audit.c.actor).where(staff_audit.c.publication == publication,
                                              staff_audit.c.action.in_(EDITING_ACTIONS),
                                              staff_audit.c.path.like(f"%/{issue}/%"))
            .order_by(staff_audit.c.at.desc(), staff_audit.c.id.desc()).limit(1)).scalar()
    values = {} if row is None else {k: getattr(row, k) for k in (
        "ready_by", "ready_at", "ready_fingerprint", "approved_by", "approved_at", "approved_fingerprint")}
    return ApprovalState(publication, issue, _policy(issue_dir), current, last_editor=editor, **values)


def _save(store, publication: str, issue: str, values: dict) -> None:
    with store.write() as connection:
        where = (issue_approvals.c.publication == publication, issue_approvals.c.issue == issue)
        if connection.execute(update(issue_approvals).where(*where).values(**values)).rowcount == 0:
            connection.execute(insert(issue_approvals).values(publication=publication, issue=issue, **values))


def mark_ready(store, issue_dir: Path, who: str, now: dt.datetime, library: Path | None = None) -> ApprovalState:
    """The editor says the issue is ready: only with no problems (check's, every one at once)."""
    from blocks.loader import load_issue
    from common.yaml_source import display_path

    try:
        load_issue(issue_dir, library_dir=library)
    except NewsletterError as error:
        raise NewsletterError(f"{display_path(Path(issue_dir))} has {len(error.problems)} problem(s): fix them "
                              "before marking it ready", "python compose.py check shows each with its file and "
                              "line", outcome="not marked ready") from None
    publication, issue = _names(issue_dir)
    current = fingerprint(issue_dir, library)
    _save(store, publication, issue, {"ready_fingerprint": current, "ready_by": who, "ready_at": now})
    return state(store, issue_dir, library)


def approve(store, issue_dir: Path, who: str, now: dt.datetime, library: Path | None = None,
            seen: str | None = None) -> ApprovalState:
    """A sender approves the content as it is now. `seen`: the fingerprint the approver looked at (a
    page's); refused when the content changed since. Two-person publications refuse the last editor."""
    before = state(store, issue_dir, library)
    if seen is not None and seen != before.current:
        raise NotApproved("the issue changed since you opened it", "reload the page, look at it again, then approve",
                          outcome="not approved")
    if not before.ready:
        raise NotApproved("the issue is not marked ready (or changed since it was)",
                          "an editor marks it ready when check finds no problem", outcome="not approved")
    if before.policy == TWO_PERSON and who in {before.last_editor, before.ready_by}:
        raise NotApproved(f"{before.publication} needs two people: you edited this issue last or marked it ready",
                          "ask another sender to approve it", outcome="not approved")
    _save(store, before.publication, before.issue,
          {"approved_fingerprint": before.current, "approved_by": who, "approved_at": now})
    return state(store, issue_dir, library)


def require_approval(store, issue_dir: Path, library: Path | None = None) -> ApprovalState:
    """The send's gate: NotApproved unless the content is the approved content (when the publication
    requires approval)."""
    found = state(store, issue_dir, library)
    if found.may_send:
        return found
    from common.yaml_source import display_path
    raise NotApproved(f"{display_path(Path(issue_dir))} is not approved: {found.words()}",
                      "a sender approves it in the studio, on the issue's Send page (an editor marks it ready "
                      "first); python compose.py approval shows where it stands", outcome="nothing was sent")
