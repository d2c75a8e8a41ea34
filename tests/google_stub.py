"""A local stand-in for Google Cloud Translation - Basic (v2 REST), for tests and for trying
`translations machine` by hand.

    python -m tests.google_stub --port 8090
    GOOGLE_TRANSLATE_API_KEY=any GOOGLE_TRANSLATE_ENDPOINT=http://127.0.0.1:8090 python compose.py translations machine ...

It answers like Google (`{"data": {"translations": [{"translatedText": ...}]}}`, one per `q`,
HTML tags and <span translate="no"> content kept, apostrophes as &#39;, a `style` with
direction:rtl added to paragraphs translated into a right-to-left language), but its
"translations" are PSEUDO-TRANSLATIONS: the English, each paragraph marked with the target
code, e.g. "[BS] Welcome Back!". Never send them to families.

Keys: missing gets 403 PERMISSION_DENIED; "refused" gets 400 API_KEY_INVALID (what Google
answers for a wrong key); "disabled" gets 403 SERVICE_DISABLED. Programmed failures:
`fail=[429, "rate", 503]` (or --fail 429,rate,503) answers the next translate requests with
429 RESOURCE_EXHAUSTED, 403 userRateLimitExceeded, 503...; `fail=["daily"]` or `quota=N`
(characters) answers 403 dailyLimitExceeded. Languages: Google's list (bs, ur, ta, ht among
them); `languages=` narrows it.
"""
from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from tests.json_stub import LocalServer, json_handler, serve_until_interrupted

LANGUAGES = ("af sq am ar hy az eu be bn bs bg ca ceb zh zh-CN zh-TW co hr cs da nl en eo et fi fr fy gl ka de el "
             "gu ht ha haw iw he hi hmn hu is ig id ga it ja jw kn kk km rw ko ku ky lo la lv lt lb mk mg ms ml mt "
             "mi mr mn my ne no ny or ps fa pl pt pt-PT pa ro ru sm gd sr st sn sd si sk sl so es su sw sv tl tg ta "
             "tt te th tr tk uk ur ug uz vi cy xh yi yo zu").split()
RIGHT_TO_LEFT = {"ar", "iw", "he", "fa", "ur", "ps", "sd", "ug", "yi"}
BLOCK_TAGS = {"p", "li"}
PATH = "/language/translate/v2"


def _error(status: int, message: str, reason: str, state: str, detail: str = "") -> tuple[int, dict]:
    error = {"code": status, "message": message, "errors": [{"message": message, "domain": "global",
                                                            "reason": reason}], "status": state}
    if detail:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": detail,
                             "domain": "googleapis.com", "metadata": {"service": "translate.googleapis.com"}}]
    return status, {"error": error}


FAILURES = {
    429: _error(429, "Quota exceeded for quota metric 'v2 and v3 general model characters' and limit 'per minute'",
                "rateLimitExceeded", "RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED"),
    "rate": _error(403, "User Rate Limit Exceeded", "userRateLimitExceeded", "PERMISSION_DENIED"),
    "daily": _error(403, "Daily Limit Exceeded", "dailyLimitExceeded", "PERMISSION_DENIED"),
    500: _error(500, "Internal error encountered.", "backendError", "INTERNAL"),
    503: _error(503, "The service is currently unavailable.", "backendError", "UNAVAILABLE"),
}
KEYS = {
    "": _error(403, "The request is missing a valid API key.", "forbidden", "PERMISSION_DENIED"),
    "refused": _error(400, "API key not valid. Please pass a valid API key.", "badRequest", "INVALID_ARGUMENT",
                      "API_KEY_INVALID"),
    "disabled": _error(403, "Cloud Translation API has not been used in project 1234 before or it is disabled.",
                       "accessNotConfigured", "PERMISSION_DENIED", "SERVICE_DISABLED"),
}


def pseudo_translate(text: str, target: str) -> str:
    """The HTML text with each paragraph marked [TARGET], content of <span translate="no"> kept."""
    root = ET.fromstring(f"<t>{text}</t>")
    marked = set()

    def visit(element, block, kept):
        block = element if element.tag in BLOCK_TAGS or element is root else block
        kept = kept or (element.tag == "span" and element.get("translate") == "no")
        if element.text and not kept:
            element.text = mark(element.text, block)
        for child in element:
            visit(child, block, kept)
            if child.tail:
                child.tail = mark(child.tail, block)
        if element.tag in BLOCK_TAGS and target in RIGHT_TO_LEFT:
            element.set("style", ";text-align:right;direction:rtl")

    def mark(piece: str, block) -> str:
        if id(block) not in marked and any(c.isalpha() for c in piece):
            marked.add(id(block))
            stripped = piece.lstrip()
            return piece[:len(piece) - len(stripped)] + f"[{target.upper()}] " + stripped
        return piece

    visit(root, root, False)
    inner = ET.tostring(root, encoding="unicode")
    inner = inner[len("<t>"):-len("</t>")] if inner != "<t />" else ""
    return inner.replace("'", "&#39;")              # as Google writes apostrophes in HTML


class GoogleStub(LocalServer):
    def __init__(self, port: int = 0, fail: list | None = None, quota: int | None = None,
                 languages: tuple[str, ...] = LANGUAGES, spoil=None):
        self.fail, self.quota, self.languages = list(fail or []), quota, tuple(languages)
        self.spoil = spoil or (lambda text: text)       # tests: damage answers (drop a link, break a tag)
        self.translate_requests: list[dict] = []
        self.keys_seen: list[str] = []
        self.characters = 0
        self._serve_on(port, _handler(self))

    def answer(self, method: str, path: str, params: dict, key: str) -> tuple[int, object]:
        self.keys_seen.append(key)
        if key in KEYS:
            return KEYS[key]
        if method == "GET" and path == PATH + "/languages":
            return 200, {"data": {"languages": [{"language": code} for code in self.languages]}}
        if method == "POST" and path.rstrip("/") == PATH:
            return self._translate(params)
        return _error(404, "Not Found", "notFound", "NOT_FOUND")

    def _translate(self, params: dict) -> tuple[int, object]:
        self.translate_requests.append(params)
        if self.fail:
            return FAILURES[self.fail.pop(0)]
        texts = params.get("q") or []
        texts = [texts] if isinstance(texts, str) else texts
        target = str(params.get("target", ""))
        if target not in self.languages:
            return _error(400, "Invalid Value", "invalid", "INVALID_ARGUMENT")
        if params.get("format", "html") != "html":
            return _error(400, "the stub translates only format=html", "invalid", "INVALID_ARGUMENT")
        billed = sum(len(t) for t in texts)             # Google bills every character sent, tags included
        if self.quota is not None and self.characters + billed > self.quota:
            return FAILURES["daily"]
        self.characters += billed
        return 200, {"data": {"translations": [{"translatedText": self.spoil(pseudo_translate(t, target))}
                                               for t in texts]}}


def _handler(stub: GoogleStub):
    def key_of(headers, params) -> str:
        return (headers.get("X-Goog-Api-Key") or str(params.pop("key", "") or "")).strip()
    return json_handler(stub.answer, key_of, "q", "application/json; charset=UTF-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Google Translate stand-in answering pseudo-translations.")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--fail", default="", help="failures for the next translate requests, e.g. 429,rate,daily")
    parser.add_argument("--quota", type=int, default=None, help="answer 403 dailyLimitExceeded after this many characters")
    args = parser.parse_args()
    fail = [int(s) if s.isdigit() else s for s in args.fail.split(",") if s]
    stub = GoogleStub(args.port, fail, args.quota)
    serve_until_interrupted(stub, "Google Translate stub (pseudo-translations, not real ones)")


if __name__ == "__main__":
    main()
