"""The editor's requests as you type (htmx, under /api/: 401 when signed out): one field, a block
added, removed (with undo), moved or duplicated, a row of a list added, removed or moved. Each
change is kept in the person's draft at once, checked by `check`'s engine, and answered with the
problems at their fields; the preview follows (the `studio:changed` event)."""
from __future__ import annotations

import copy
import io
import re

from flask import Blueprint, make_response, render_template, request
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from blocks import kinds
from common.problems import Problem
from studio import documents, forms, workspace
from studio.editor import page_context

blueprint = Blueprint("edits", __name__)


def _answer(space, template: str, **extra):
    response = make_response(render_template(template, **page_context(space, **extra)))
    response.headers["HX-Trigger"] = "studio:changed"
    if template == "_update.html":
        response.headers["X-Studio-Slots"] = "filled-only"       # studio.js empties the others
    return response


@blueprint.post("/api/<publication>/<issue>/field")
def field(publication: str, issue: str):
    space = workspace.open_issue(publication, issue)
    key = request.form.get("path", "")
    if key == "languages":
        chosen = list(dict.fromkeys(lang for lang in request.form.getlist("value") if lang))
        current = space.data.get("languages")
        if isinstance(current, list):
            current[:] = chosen
        else:
            space.data["languages"] = CommentedSeq(chosen)
            space.data["languages"].fa.set_flow_style()
        space.store_data()
        return _answer(space, "_update.html")
    kind = forms.kind_at(space.data, key)
    if kind is None:
        return {"error": f"no field {key} in this issue"}, 400
    space.store_value(key, forms.from_form(kind, request.form.get("value")))
    return _answer(space, "_update.html")


@blueprint.post("/api/<publication>/<issue>/blocks")
def blocks(publication: str, issue: str):
    space = workspace.open_issue(publication, issue)
    action = request.form.get("action", "")
    if action == "undo":
        focus = "main"
        if space.draft.undo:
            before = _block_names(space.data)
            space.store_text(space.draft.undo, undo="")
            after = _block_names(space.data)
            back = next((i for i, name in enumerate(after) if i >= len(before) or before[i] != name), None)
            focus = f"block-{back}" if back is not None else focus       # the block that came back
        return _answer(space, "_blocks_update.html", focus=focus)
    seq = space.data.get("blocks")
    if not isinstance(seq, list):
        seq = space.data["blocks"] = CommentedSeq()
    index = _index(request.form.get("index"), len(seq) + (1 if action == "add" else 0))
    if index is None:
        return {"error": "no such block"}, 400
    before, focus, undo = space.draft.text, None, None
    if action == "add":
        seq.insert(index, _new_block(space.data, request.form.get("type", "")))
        focus = f"block-{index}"
    elif action == "remove":
        del seq[index]
        undo, focus = before, "undo"
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(seq):
            seq[index], seq[other] = seq[other], seq[index]
            index = other
        focus = f"{action}-{index}"
    elif action == "duplicate":
        twin = copy.deepcopy(seq[index])
        if isinstance(twin, dict) and "id" in twin:
            twin["id"] = workspace.fresh_id(space.data, str(twin.get("id")))
        seq.insert(index + 1, twin)
        focus = f"block-{index + 1}"
    elif action == "library":
        seq[index]["include"] = request.form.get("value", "")
    else:
        return {"error": f"unknown action {action}"}, 400
    space.store_data(undo=undo)
    return _answer(space, "_blocks_update.html", focus=focus, removed=action == "remove")


IMAGE_LIMIT = 2 * 1024 * 1024         # bytes of an uploaded picture (the studio's form limit too)
IMAGE_MAX_WIDTH = 1200                 # px kept: twice the email's width, for sharp pictures on phones
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


@blueprint.post("/api/<publication>/<issue>/image")
def image(publication: str, issue: str):
    """A picture for an image field: checked (PNG, JPEG or WebP, at most IMAGE_LIMIT), turned upright,
    resized to IMAGE_MAX_WIDTH wide at most, stored beside the issue (images/<block id>.<ext>); the
    field gets its file, width and height (its alt text stays for the person to write)."""
    space = workspace.open_issue(publication, issue)
    key = request.form.get("path", "")
    kind = forms.kind_at(space.data, key)
    if getattr(kind, "name", "") != "image":
        return {"error": f"{key} does not take a picture"}, 400
    upload = request.files.get("picture")
    data = upload.read(IMAGE_LIMIT + 1) if upload else b""
    try:
        stored = _stored_picture(data, space.folder / "images", str(documents.get(space.data, key.rsplit(".", 1)[0] + ".id")
                                                                    or "picture"))
    except ValueError as e:
        space.problems.append(Problem(space.shown, key, f"picture not uploaded: {e}"))
        return _answer(space, "_blocks_update.html", focus=f"f-{forms.slot(key)[2:]}-upload")
    for name, value in stored.items():
        documents.put(space.data, f"{key}.{name}", value)
    space.store_data()
    return _answer(space, "_blocks_update.html", focus=f"f-{forms.slot(key)[2:]}-alt")


def _stored_picture(data: bytes, folder, name: str) -> dict:
    from PIL import Image, ImageOps, UnidentifiedImageError
    if not data:
        raise ValueError("choose a picture to upload")
    if len(data) > IMAGE_LIMIT:
        raise ValueError(f"the picture is over {IMAGE_LIMIT // (1024 * 1024)} MB: make it smaller first")
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValueError("this file is not a picture the studio can read: upload a PNG, JPEG or WebP") from None
    suffix = IMAGE_FORMATS.get(picture.format or "")
    if suffix is None:
        raise ValueError(f"a {picture.format} picture: upload a PNG, JPEG or WebP")
    fmt = picture.format
    picture = ImageOps.exif_transpose(picture)
    if picture.width > IMAGE_MAX_WIDTH:
        picture = picture.resize((IMAGE_MAX_WIDTH, round(picture.height * IMAGE_MAX_WIDTH / picture.width)),
                                 Image.Resampling.LANCZOS)
    if fmt == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    folder.mkdir(exist_ok=True)
    safe = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-") or "picture"
    out = io.BytesIO()
    picture.save(out, format=fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else
                                     {"optimize": True} if fmt == "PNG" else {"quality": 85}))
    documents.write_atomic_bytes(folder / f"{safe}.{suffix}", out.getvalue())
    return {"file": f"images/{safe}.{suffix}", "width": picture.width, "height": picture.height}


def _block_names(data) -> list:
    found = data.get("blocks") if isinstance(data, dict) else None
    return [repr(block.get("id") or block.get("include")) if isinstance(block, dict) else repr(block)
            for block in (found if isinstance(found, list) else [])]


def _new_block(data, kind: str):
    if kind.startswith("include:"):
        return CommentedMap(include=kind.split(":", 1)[1])
    block = CommentedMap(type=kind)
    block["id"] = workspace.fresh_id(data, kind)
    return block


def _index(text, size: int) -> int | None:
    try:
        index = int(text or "")
    except ValueError:
        return None
    return index if 0 <= index < size else None


@blueprint.post("/api/<publication>/<issue>/rows")
def rows(publication: str, issue: str):
    space = workspace.open_issue(publication, issue)
    key, action = request.form.get("path", ""), request.form.get("action", "")
    kind = forms.kind_at(space.data, key)
    if not isinstance(kind, kinds.ListOf):
        return {"error": f"{key} is not a list"}, 400
    seq = documents.get(space.data, key)
    if not isinstance(seq, list):
        seq = CommentedSeq([] if seq in (None, "") else [seq])
        documents.put(space.data, key, seq)
        seq = documents.get(space.data, key)
    index = _index(request.form.get("index"), len(seq)) if action != "add" else len(seq)
    if index is None:
        return {"error": "no such row"}, 400
    focus = f"{key}-row-{index}"
    if action == "add":
        seq.append(forms.empty_item(kind.item))
    elif action == "remove":
        del seq[index]
        focus = f"{key}-add"
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(seq):
            seq[index], seq[other] = seq[other], seq[index]
            focus = f"{key}-row-{other}"
    else:
        return {"error": f"unknown action {action}"}, 400
    if not seq:
        documents.put(space.data, key, None)
    space.store_data()
    return _answer(space, "_blocks_update.html", focus=forms.slot(focus))
