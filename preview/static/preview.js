// The live preview page: applies the controls, and follows the server's events.
//
// Each "update" event carries the page's changing parts (replaced by id when they differ) and,
// per language, digests of the frame's head, sections and text with the sections that are new:
// a frame rearranges its sections in place (one edited block: one section replaced; a block
// added, moved or removed), sets the subject and preheader in place, or loads again (keeping its
// scroll position) when the rest of its head changed (styles). The event stream asks for the
// languages shown (the server renders them first, the others right after). When every
// frame is done and painted, body[data-shown] takes the event's version and a "preview-shown"
// event is dispatched on window (tests and the bench wait for it).
"use strict";
(() => {
  const body = document.body;
  const form = document.getElementById("controls");
  const panels = document.getElementById("panels");
  const frames = () => Array.from(document.querySelectorAll("iframe.frame"));
  const WIDTH = { phone: "phone width", desktop: "desktop width" };

  function settings() {
    const data = new FormData(form);
    return { langs: data.getAll("lang"), width: data.get("width") || "phone", labels: data.get("labels") === "1" };
  }

  function frameLabels(frame) {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement) doc.documentElement.classList.toggle("pv-nolabels", !settings().labels);
  }

  function titleFrame(frame) {
    const panel = frame.closest(".panel");
    const part = frame.dataset.view === "text" ? "plain-text part" : "HTML part";
    frame.title = `${panel.dataset.name} email, ${part}, ${WIDTH[settings().width]}`;
  }

  function apply() {
    const { langs, width, labels } = settings();
    document.querySelectorAll(".panel").forEach((panel) => { panel.hidden = !langs.includes(panel.dataset.lang); });
    panels.classList.toggle("width-phone", width === "phone");
    panels.classList.toggle("width-desktop", width === "desktop");
    panels.classList.toggle("no-labels", !labels);
    frames().forEach((frame) => { frameLabels(frame); titleFrame(frame); });
    const query = new URLSearchParams();
    langs.forEach((lang) => query.append("lang", lang));
    query.set("width", width);
    if (!labels) query.set("labels", "0");
    history.replaceState(null, "", `?${query}`);
    connect();
  }

  // What each frame shows: digests of its head, its sections and the text part.
  const shown = new Map(frames().map((frame) => [frame, { head: frame.dataset.head, inbox: frame.dataset.inbox,
    sections: frame.dataset.sections.split(","), text: frame.dataset.text }]));
  let latest = { version: Number(body.dataset.version), frames: {} };
  const SECTION = 'div[class^="block-"], div[class^="chrome-"]';
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const langOf = (frame) => frame.closest(".panel").dataset.lang;

  // Load the frame's document again (replacing its history entry), keeping its scroll position.
  function reload(frame) {
    return new Promise((resolve) => {
      const win = frame.contentWindow;
      const scroll = win ? [win.scrollX, win.scrollY] : [0, 0];
      const url = `/frame/${langOf(frame)}.${frame.dataset.view === "text" ? "txt" : "html"}?v=${latest.version}`;
      frame.addEventListener("load", () => {
        frameLabels(frame);
        if (frame.contentWindow) frame.contentWindow.scrollTo(scroll[0], scroll[1]);
        resolve();
      }, { once: true });
      if (win) win.location.replace(url); else frame.src = url;
    });
  }

  // Put the frame's sections in the order of `next`, keeping those it has (by digest) and making
  // the others from `next.patch`: one edited block, or a block added, moved or removed, without
  // loading the email again. False if the frame is not as expected (then it is loaded again).
  function patch(frame, before, next) {
    const doc = frame.contentDocument;
    const now = doc ? Array.from(doc.querySelectorAll(SECTION)) : [];
    const parent = now.length ? now[0].parentNode : null;
    if (!parent || now.length !== before.length || now.some((el) => el.parentNode !== parent)) return false;
    const have = new Map();
    before.forEach((digest, i) => have.set(digest, [...(have.get(digest) || []), now[i]]));
    const wanted = [];
    for (const [i, digest] of next.sections.entries()) {
      let made = (have.get(digest) || []).shift();
      if (!made && i in next.patch) {
        const holder = doc.createElement("template");
        holder.innerHTML = next.patch[i];
        made = holder.content.querySelector(SECTION);
      }
      if (!made) return false;
      wanted.push(made);
    }
    // Touch as little as possible (each change costs the frame a new layout): drop what goes,
    // then walk both lists, inserting or moving only what is not already in its place.
    const end = doc.createComment("");
    parent.insertBefore(end, now[now.length - 1].nextSibling);
    now.forEach((el) => { if (!wanted.includes(el)) el.remove(); });
    const staying = now.filter((el) => wanted.includes(el));
    const placed = new Set();
    let k = 0;
    for (const el of wanted) {
      while (k < staying.length && placed.has(staying[k])) k += 1;
      if (el === staying[k]) k += 1; else parent.insertBefore(el, staying[k] || end);
      placed.add(el);
    }
    end.remove();
    return true;
  }

  // Set the subject (the title and the email's aria-label) and the hidden preheader in place.
  function inbox(frame, top) {
    const doc = frame.contentDocument;
    const preheader = doc && doc.body ? doc.body.firstElementChild : null;
    const article = doc ? doc.querySelector('div[role="article"]') : null;
    if (!top || !preheader || !article || !/display:\s*none/.test(preheader.getAttribute("style") || "")) return false;
    doc.title = top.title;
    preheader.innerHTML = top.preheader;
    article.setAttribute("aria-label", top.label);
    return true;
  }

  // Bring one frame up to date with `next` (its digests and changed sections); true if it changed.
  async function follow(frame, next) {
    const state = shown.get(frame);
    if (frame.dataset.view === "text") {
      if (state.text === next.text) return false;
      await reload(frame);
    } else {
      const sameSections = state.sections.join() === next.sections.join();
      if (state.head === next.head && state.inbox === next.inbox && sameSections) return false;
      const done = state.head === next.head && (state.inbox === next.inbox || inbox(frame, next.top))
        && (sameSections || patch(frame, state.sections, next));
      if (!done) await reload(frame);
    }
    shown.set(frame, { head: next.head, inbox: next.inbox, sections: next.sections, text: next.text });
    return true;
  }

  const received = new Map();               // the last markup of each part, to skip what did not change
  const changedSinceShown = new Set();      // languages whose frame changed since the last preview-shown

  function swap(id, html) {
    const old = document.getElementById(id);
    if (!old || received.get(id) === html) return;
    received.set(id, html);
    const open = Array.from(old.querySelectorAll("details[open]"), (d) => d.id);
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.firstElementChild;
    open.forEach((detailsId) => { const d = fresh.querySelector(`#${CSS.escape(detailsId)}`); if (d) d.open = true; });
    old.replaceWith(fresh);
  }

  async function update(data) {
    latest = data;                             // events come in order; after a reconnect, the state now
    if (data.languages.join(",") !== body.dataset.languages) {   // languages added or removed: a new page,
      const known = body.dataset.languages.split(",");            // showing the ones added
      const { langs } = settings();
      const query = new URLSearchParams(location.search);
      query.delete("lang");
      data.languages.filter((lang) => langs.includes(lang) || !known.includes(lang))
        .forEach((lang) => query.append("lang", lang));
      location.replace(`?${query}`);
      return;
    }
    body.dataset.version = data.version;
    Object.entries(data.parts).forEach(([id, html]) => swap(id, html));
    const done = await Promise.all(frames().map((frame) => follow(frame, data.frames[langOf(frame)])));
    frames().forEach((frame, i) => { if (done[i]) changedSinceShown.add(langOf(frame)); });
    await afterPaint();
    if (data !== latest) return;               // a newer update arrived meanwhile; it finishes the job
    body.dataset.shown = data.version;
    window.dispatchEvent(new CustomEvent("preview-shown", { detail: { version: data.version, problems: data.problems,
      settling: data.settling, rebuild_ms: data.rebuild_ms, changed: [...changedSinceShown] } }));
    changedSinceShown.clear();
  }

  // One event stream, asking for the languages shown; opened again when they change. The page's id
  // (kept by its tab, across reloads) lets the server forget what the old stream asked for at once.
  let source = null;
  let asked = null;
  const PAGE = (() => {
    const made = Math.random().toString(36).slice(2);
    try {
      const kept = sessionStorage.getItem("preview-page") || made;
      sessionStorage.setItem("preview-page", kept);
      return kept;
    } catch (error) {
      return made;                            // no storage: the old stream is forgotten when it closes
    }
  })();
  function connect() {
    const query = new URLSearchParams({ page: PAGE });
    settings().langs.forEach((lang) => query.append("lang", lang));
    if (source && asked === `${query}`) return;
    if (source) source.close();
    asked = `${query}`;
    source = new EventSource(`/events?${query}`);
    source.addEventListener("update", (event) => update(JSON.parse(event.data)));
    source.addEventListener("error", (event) => {
      const live = document.getElementById("live");
      if (event.target === source && source.readyState !== EventSource.OPEN && live) {
        live.textContent = "Lost contact with the preview server: is `python compose.py preview` still running? "
          + "This page reconnects by itself when it is.";
      }
    });
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  document.querySelectorAll(".views").forEach((group) => group.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-view]");
    if (!button) return;
    group.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    const frame = group.closest(".panel").querySelector("iframe.frame");
    frame.dataset.view = button.dataset.view;
    titleFrame(frame);
    reload(frame);
    const next = latest.frames[langOf(frame)];
    if (next) shown.set(frame, { head: next.head, inbox: next.inbox, sections: next.sections, text: next.text });
  }));
  frames().forEach((frame) => frame.addEventListener("load", () => frameLabels(frame)));
  apply();
})();
