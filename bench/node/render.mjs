// The JavaScript MJML reference for bench row 1: render MJML files through the Node API, warm.
//
//   node render.mjs a.mjml b.mjml ...
//
// Reads the files, renders each a few times to warm the JIT, prints "ready", then for each
// line "N" on standard input renders every file N times and prints one JSON line
// {"per_render_ms": <mean milliseconds per render over all files>, "renders": <count>}.
// Options mirror ours: no default Google fonts, no comments, no validation pass
// (mjml-python does not validate either); <mj-style inline="inline"> is inlined by juice.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const mjml2html = require("mjml");

const OPTIONS = { fonts: {}, keepComments: false, validationLevel: "skip" };
const sources = process.argv.slice(2).map((path) => readFileSync(path, "utf8"));

async function renderAll(times) {
  for (let i = 0; i < times; i++) {
    for (const source of sources) {
      const result = await mjml2html(source, OPTIONS);
      if (!result.html || result.html.length < 1000) throw new Error("MJML rendered nothing");
    }
  }
}

await renderAll(5);
console.log("ready");

for await (const line of createInterface({ input: process.stdin })) {
  const times = Number.parseInt(line, 10);
  if (!(times > 0)) break;
  const start = process.hrtime.bigint();
  await renderAll(times);
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const renders = times * sources.length;
  console.log(JSON.stringify({ per_render_ms: elapsedMs / renders, renders }));
}
