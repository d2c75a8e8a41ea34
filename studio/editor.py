"""The issue editor's pages: the editor itself, saving (refused over a file changed since it was
opened, with both versions block by block), discarding the draft, and the issue's history.
The edits as you type are studio/edits.py; the preview studio/preview.py."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from studio import audit, documents, drafts, workspace
from studio.conflicts import block_pairs

blueprint = Blueprint("editor", __name__)


def _studio():
    return current_app.config["studio"]


class Notes(dict):
    """Problems by slot (the dict), and the preview's warnings by slot (.warnings)."""

    def __init__(self, problems: dict, warnings: dict):
        super().__init__(problems)
        self.warnings = warnings


def shown_languages() -> list[str]:
    """The languages the page's preview shows (studio.js sends them with every edit)."""
    return [lang for lang in request.values.get("shown", "").split(",") if lang]


def page_context(space: workspace.Workspace, **extra) -> dict:
    blocks = space.blocks()
    issue_fields = space.issue_fields()
    keys = space.slot_keys(blocks, issue_fields)
    at, listing = space.placed(keys)
    nodes = [*issue_fields, *(n for view in blocks for n in view.fields)]
    warned = {key for node in nodes for key, _ in _warned(node)}
    warnings_at, warning_list = space.placed_warnings(space.warnings(shown_languages()), keys, warned)
    publication = _studio().publications[space.publication][1]
    return {"space": space, "blocks": blocks, "issue_fields": issue_fields, "problems_at": Notes(at, warnings_at),
            "listing": listing, "warning_list": warning_list, "last_good": not space.renders.good_is_current
            and space.renders.good is not None,
            "todos": space.todos(), "block_types": workspace.block_types(), "library": workspace.library_names(space.library),
            "publication_languages": list(publication.languages), "languages": space.languages(),
            "timezone": publication.timezone, "focus": None, "slot_keys": sorted(keys),
            "api": f"/api/{space.publication}/{space.issue}"} | extra


def _warned(node):
    if node.warning:
        yield node.key, node.warning
    for child in node.children:
        yield from _warned(child)


@blueprint.get("/<publication>/<issue>/")
def edit(publication: str, issue: str):
    space = workspace.open_issue(publication, issue)
    stale = documents.file_digest(space.path) != space.draft.base_hash
    page = render_template("editor.html", **page_context(space, stale=stale))
    space.renders.keep_parsed(space.draft.text, space.data, space.marks)   # unchanged: the next edit starts from it
    return page


@blueprint.post("/<publication>/<issue>/save")
def save(publication: str, issue: str):
    studio = _studio()
    space = workspace.open_issue(publication, issue)
    on_disk = space.path.read_text(encoding="utf-8")
    theirs = documents.digest(on_disk)
    if theirs != space.draft.base_hash and request.form.get("over") != theirs:
        return render_template("conflict.html", space=space, theirs_hash=theirs,
                               pairs=block_pairs(documents.load(on_disk), space.data)), 409
    if on_disk != space.draft.text:
        documents.write_atomic(space.path, space.draft.text)
        audit.record(studio.store, studio.clock(), g.staff.email, "save", publication=publication, path=space.shown,
                     detail=audit.diff(on_disk, space.draft.text, space.shown))
    drafts.drop(studio.store, g.staff.id, publication, issue)
    flash(f"Saved {space.shown}." + (f" It still has {len(space.problems)} problems to fix before it can be sent."
                                      if space.problems else " compose.py check finds no problem."))
    return redirect(url_for("editor.edit", publication=publication, issue=issue))


@blueprint.post("/<publication>/<issue>/discard")
def discard(publication: str, issue: str):
    studio = _studio()
    workspace.open_issue(publication, issue)
    drafts.drop(studio.store, g.staff.id, publication, issue)
    flash("Your unsaved changes were discarded; this is the file as it is now.")
    return redirect(url_for("editor.edit", publication=publication, issue=issue))


@blueprint.get("/<publication>/<issue>/history")
def history(publication: str, issue: str):
    studio = _studio()
    folder = studio.folder(publication) / issue
    space_path = workspace.shown_path(folder / "issue.yaml")
    entries = audit.entries(studio.store, publication=publication, path=space_path)
    return render_template("history.html", publication=publication, issue=issue, entries=entries, path=space_path)
