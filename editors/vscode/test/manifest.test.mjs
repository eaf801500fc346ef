// The manifest contributes what the extension uses, and its file patterns select specs and
// archived specs but no other markdown (VS Code matches a pattern with `/` against the
// whole path; this replays that with node's own glob matcher).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { matchesGlob } from "node:path";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url)));
const source = ["extension.ts", "lifecycle.ts", "references.ts"].map((f) => readFileSync(new URL(`../src/${f}`, import.meta.url), "utf8")).join("\n");

test("file patterns select specs only", () => {
  const patterns = pkg.contributes.languages[0].filenamePatterns;
  const isSpec = (p) => patterns.some((g) => matchesGlob(p, g));
  for (const p of ["/w/.chant/specs/2026-01-24-001-cxn.md", "/w/.chant/specs/sub/x.2.md", "/w/.chant/archive/2026-01-24/x.md", "/w/.chant/archive/x.md"]) {
    assert.ok(isSpec(p), p);
  }
  for (const p of ["/w/README.md", "/w/.chant/config.md", "/w/.chant/prompts/standard.md", "/w/.chant/research/r.md", "/w/docs/specs/x.md"]) {
    assert.ok(!isSpec(p), p);
  }
});

test("every command and setting the code uses is contributed", () => {
  const commands = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const [, id] of source.matchAll(/"(chant\.[A-Za-z]+)"/g)) {
    if (id.startsWith("chant.server") || id.startsWith("chant.diagnostics")) continue;
    assert.ok(commands.has(id), `command ${id} not contributed`);
  }
  const settings = Object.keys(pkg.contributes.configuration.properties);
  for (const key of ["server.path", "server.extraArgs", "diagnostics.disable"]) {
    assert.ok(settings.includes(`chant.${key}`), key);
  }
  for (const c of pkg.contributes.commands) {
    assert.ok(c.title && c.category === "Chant", c.command);
  }
});

test("the client names the lenses' command to the server and registers it", () => {
  assert.match(source, /initializationOptions: \{[^}]*showReferencesCommand: SHOW_REFERENCES/);
  assert.match(source, /registerCommand\(SHOW_REFERENCES,/);
  assert.match(source, /export const SHOW_REFERENCES = "chant\.showReferences"/);
});

test("specs get no colour swatch before issue numbers like #1234", () => {
  assert.deepEqual(pkg.contributes.configurationDefaults["[chant-spec]"], { "editor.colorDecorators": false });
});

test("the bundle is minified", () => {
  assert.match(pkg.scripts.build, /--bundle .*--minify/);
});
