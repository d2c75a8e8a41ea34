"""A local stand-in for the DeepL API, for tests and for trying `translations machine` by hand.

    python -m tests.deepl_stub --port 8089
    DEEPL_AUTH_KEY=any DEEPL_SERVER_URL=http://127.0.0.1:8089 python compose.py translations machine ...

It answers like DeepL (one translation per text, XML tags and <x>-ignored content kept, a
glossary's names put in, `billed_characters`), but its "translations" are PSEUDO-TRANSLATIONS:
the English, each paragraph marked with the target code, e.g. "[VI] Welcome Back!". Never
send them to families. Programmed failures: `fail=[429, 429]` (or --fail 429,429) answers the
next translate requests with those statuses; `quota=N` answers 456 once N characters are used.
The key "refused" gets 403. Target languages: those of DeepL's own spec example (AR ... ZH,
with regional variants), so Bosnian, Haitian Creole, Tamil and Urdu are not offered.
"""
from __future__ import annotations

import argparse
import uuid
import xml.etree.ElementTree as ET
from tests.json_stub import LocalServer, json_handler, serve_until_interrupted

TARGETS = ["AR", "BG", "CS", "DA", "DE", "EL", "EN-GB", "EN-US", "ES", "ET", "FI", "FR", "HE", "HU", "ID", "IT",
           "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT-BR", "PT-PT", "RO", "RU", "SK", "SL", "SV", "TH", "TR",
           "UK", "VI", "ZH", "ZH-HANS", "ZH-HANT"]
BLOCK_TAGS = {"p", "li"}


def pseudo_translate(text: str, target: str, ignored: set[str], glossary: dict[str, str]) -> str:
    """The XML text with each paragraph marked [TARGET] and glossary names replaced; tags kept."""
    root = ET.fromstring(f"<t>{text}</t>")
    marked = set()

    def visit(element, block, inside_ignored):
        nonlocal marked
        block = element if element.tag in BLOCK_TAGS or element is root else block
        skip = inside_ignored or element.tag in ignored
        if element.text and not skip:
            element.text = mark(element.text, block)
        for child in element:
            visit(child, block, skip)
            if child.tail:
                child.tail = mark(child.tail, block)

    def mark(piece: str, block) -> str:
        for english, translated in glossary.items():
            piece = piece.replace(english, translated)
        if id(block) not in marked and any(c.isalpha() for c in piece):
            marked.add(id(block))
            stripped = piece.lstrip()
            return piece[:len(piece) - len(stripped)] + f"[{target}] " + stripped
        return piece

    visit(root, root, False)
    inner = ET.tostring(root, encoding="unicode")
    return inner[len("<t>"):-len("</t>")] if inner != "<t />" else ""


class DeepLStub(LocalServer):
    def __init__(self, port: int = 0, fail: list[int] | None = None, quota: int | None = None,
                 no_glossary: set[str] = frozenset(), spoil=None):
        self.fail, self.quota, self.no_glossary = list(fail or []), quota, set(no_glossary)
        self.spoil = spoil or (lambda text: text)       # tests: damage answers (drop a link, break a tag)
        self.translate_requests: list[dict] = []
        self.characters = 0
        self.glossaries: dict[str, dict] = {}
        self._serve_on(port, _handler(self))

    def answer(self, method: str, path: str, params: dict, key: str) -> tuple[int, object]:
        if not key:
            return 401, {"message": "Unauthorized"}
        if key == "refused":
            return 403, {"message": "Forbidden"}
        if method == "GET" and path == "/v3/languages":      # resource=translate_text
            sources = {code.split("-")[0] for code in TARGETS}
            return 200, [{"lang": _bcp47(code), "name": code, "usable_as_source": code in sources,
                          "usable_as_target": code in TARGETS, "status": "stable", "features": {}}
                         for code in sorted(set(TARGETS) | sources)]
        if method == "GET" and path == "/v2/usage":
            return 200, {"character_count": self.characters, "character_limit": self.quota or 500000}
        if path == "/v2/glossaries":
            return self._glossary(method, params)
        if method == "POST" and path == "/v2/translate":
            return self._translate(params)
        return 404, {"message": "Not found"}

    def _glossary(self, method: str, params: dict) -> tuple[int, object]:
        if method == "GET":
            return 200, {"glossaries": [{k: v for k, v in g.items() if k != "entries"} for g in self.glossaries.values()]}
        target = str(params.get("target_lang", "")).upper()
        if target in self.no_glossary:
            return 400, {"message": f"Unsupported glossary target language {target}"}
        entries = dict(line.split("\t", 1) for line in str(params.get("entries", "")).splitlines() if "\t" in line)
        glossary = {"glossary_id": str(uuid.uuid4()), "name": params.get("name", ""), "ready": True,
                    "source_lang": str(params.get("source_lang", "")).upper(), "target_lang": target,
                    "creation_time": "2021-09-01T00:00:00.000Z", "entry_count": len(entries), "entries": entries}
        self.glossaries[glossary["glossary_id"]] = glossary
        return 201, {k: v for k, v in glossary.items() if k != "entries"}

    def _translate(self, params: dict) -> tuple[int, object]:
        self.translate_requests.append(params)
        if self.fail:
            status = self.fail.pop(0)
            return status, {"message": "Too many requests" if status == 429 else "Quota exceeded"}
        texts = params.get("text") or []
        texts = [texts] if isinstance(texts, str) else texts
        target = str(params.get("target_lang", "")).upper()
        ignored = set(_listed(params.get("ignore_tags")))
        glossary = self.glossaries.get(params.get("glossary_id") or "", {}).get("entries", {})
        billed = [len("".join(ET.fromstring(f"<t>{t}</t>").itertext())) for t in texts]
        if self.quota is not None and self.characters + sum(billed) > self.quota:
            return 456, {"message": "Quota exceeded"}
        self.characters += sum(billed)
        return 200, {"translations": [
            {"detected_source_language": "EN", "text": self.spoil(pseudo_translate(t, target, ignored, glossary)),
             "billed_characters": n} for t, n in zip(texts, billed)]}


def _bcp47(code: str) -> str:
    """DeepL's v2 code as the v3 BCP 47 tag: ZH-HANS -> zh-Hans, PT-BR -> pt-BR."""
    base, _, region = code.partition("-")
    return base.lower() + ("-" + (region.title() if len(region) == 4 else region) if region else "")


def _listed(value) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [tag for item in items for tag in str(item).split(",") if tag]


def _handler(stub: DeepLStub):
    def key_of(headers, _params) -> str:
        return (headers.get("Authorization") or "").removeprefix("DeepL-Auth-Key ").strip()
    return json_handler(stub.answer, key_of, "text")


def main() -> None:
    parser = argparse.ArgumentParser(description="A local DeepL stand-in that answers with pseudo-translations.")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--fail", default="", help="statuses for the next translate requests, e.g. 429,429,456")
    parser.add_argument("--quota", type=int, default=None, help="answer 456 once this many characters are used")
    args = parser.parse_args()
    stub = DeepLStub(args.port, [int(s) for s in args.fail.split(",") if s], args.quota)
    serve_until_interrupted(stub, "DeepL stub (pseudo-translations, not real ones)")


if __name__ == "__main__":
    main()
