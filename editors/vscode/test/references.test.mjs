// The lenses' command (src/references.ts) against the real server's lens JSON: with
// initializationOptions.showReferencesCommand set, "1 dependent" and "1 blocker" call
// chant.showReferences with (uri, position, locations), and the conversion hands
// editor.action.showReferences the converter's Uri, Position and Locations.
//   CHANT_LSP_CMD=/path/to/chant-lsp node --test test/*.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildSync } from "esbuild";
import * as rpc from "vscode-jsonrpc/node";

const outdir = mkdtempSync(join(tmpdir(), "chant-references-"));
const outfile = join(outdir, "references.mjs");
buildSync({ entryPoints: [fileURLToPath(new URL("../src/references.ts", import.meta.url))], bundle: true, format: "esm", platform: "node", outfile, logLevel: "error" });
const { SHOW_REFERENCES, VSCODE_SHOW_REFERENCES, showReferencesArgs } = await import(pathToFileURL(outfile).href);
rmSync(outdir, { recursive: true, force: true });

const server = process.env.CHANT_LSP_CMD || "chant-lsp";

/** Stands in for protocol2CodeConverter: tags what each function made, so a test sees that
 * every argument went through the right one. */
const converter = {
  asUri: (u) => ({ kind: "Uri", value: u }),
  asPosition: (p) => ({ kind: "Position", line: p.line, character: p.character }),
  asLocation: (l) => ({ kind: "Location", uri: l.uri, range: l.range }),
};

/** Starts the server on a workspace (A depends on B, B pending), opens both specs and
 * returns the lenses of each. */
async function lenses(initializationOptions) {
  const root = mkdtempSync(join(tmpdir(), "chant-lens-"));
  mkdirSync(join(root, ".chant", "specs"), { recursive: true });
  const a = join(root, ".chant", "specs", "2026-03-01-001-aaa.md");
  const b = join(root, ".chant", "specs", "2026-03-01-002-bbb.md");
  const texts = new Map([
    [a, "---\nstatus: pending\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A\n"],
    [b, "---\nstatus: pending\n---\n# Spec B, the dependency\n"],
  ]);
  for (const [p, t] of texts) writeFileSync(p, t);
  const child = spawn(server, ["--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  conn.onRequest(() => null);
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    clientInfo: { name: "Visual Studio Code", version: "1.91.0" },
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }],
    capabilities: {
      textDocument: { codeLens: { dynamicRegistration: true } },
      workspace: { codeLens: { refreshSupport: true }, workspaceFolders: true },
      window: { workDoneProgress: true },
      general: { positionEncodings: ["utf-16"] },
    },
    initializationOptions,
  });
  conn.sendNotification("initialized", {});
  const out = {};
  for (const [p, text] of texts) {
    const uri = pathToFileURL(p).href;
    conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "chant-spec", version: 1, text } });
    out[p === a ? "a" : "b"] = { uri, lenses: await conn.sendRequest("textDocument/codeLens", { textDocument: { uri } }) };
  }
  await conn.sendRequest("shutdown");
  conn.sendNotification("exit");
  assert.equal(await exited, 0);
  conn.dispose();
  rmSync(root, { recursive: true, force: true });
  return out;
}

const byTitle = (ls, title) => {
  const l = ls.find((l) => l.command?.title === title);
  assert.ok(l, `no "${title}" lens in ${JSON.stringify(ls.map((l) => l.command?.title))}`);
  return l;
};

test("the server's lenses call chant.showReferences, and the arguments convert", { timeout: 30000 }, async () => {
  const { a, b } = await lenses({ disable: [], showReferencesCommand: SHOW_REFERENCES });

  const dependent = byTitle(b.lenses, "1 dependent");
  assert.equal(dependent.command.command, "chant.showReferences");
  const converted = showReferencesArgs(dependent.command.arguments, converter);
  assert.ok(converted.ok, converted.why);
  const [uri, position, locations] = converted.args;
  assert.deepEqual(uri, { kind: "Uri", value: b.uri }, "the references view opens on the spec with the lens");
  assert.deepEqual(position, { kind: "Position", ...dependent.range.start });
  assert.deepEqual(locations, [
    // A's depends_on value, without the brackets: `depends_on: [` is 13 UTF-16 units, the ID 18.
    { kind: "Location", uri: a.uri, range: { start: { line: 2, character: 13 }, end: { line: 2, character: 31 } } },
  ]);

  const blocker = byTitle(a.lenses, "1 blocker: 2026-03-01-002-bbb");
  assert.equal(blocker.command.command, SHOW_REFERENCES);
  const toB = showReferencesArgs(blocker.command.arguments, converter);
  assert.ok(toB.ok, toB.why);
  assert.equal(toB.args[0].value, a.uri);
  assert.deepEqual(toB.args[2].map((l) => l.uri), [b.uri], "the blocker lens lists spec B");

  // A lens without locations stays a label: nothing to convert.
  const none = byTitle(a.lenses, "0 dependents");
  assert.equal(none.command.command, "");
  assert.equal(none.command.arguments, undefined);
});

test("without showReferencesCommand the lenses are labels", { timeout: 30000 }, async () => {
  const { b } = await lenses({ disable: [] });
  const dependent = byTitle(b.lenses, "1 dependent");
  assert.equal(dependent.command.command, "");
  assert.equal(dependent.command.arguments, undefined);
});

test("odd arguments give a reason, not a crash or a half-converted call", () => {
  const pos = { line: 0, character: 0 };
  const loc = { uri: "file:///w/a.md", range: { start: pos, end: pos } };
  const cases = [
    [[], /first argument/],
    [[42, pos, [loc]], /first argument/],
    [["file:///w/b.md", { line: -1, character: 0 }, [loc]], /second argument/],
    [["file:///w/b.md", { line: 0.5, character: 0 }, [loc]], /second argument/],
    [["file:///w/b.md", pos], /third argument/],
    [["file:///w/b.md", pos, [loc, { uri: "file:///w/c.md" }]], /third argument/],
    [["file:///w/b.md", pos, [null]], /third argument/],
  ];
  for (const [args, why] of cases) {
    const r = showReferencesArgs(args, converter);
    assert.equal(r.ok, false, JSON.stringify(args));
    assert.match(r.why, why);
  }
  assert.equal(VSCODE_SHOW_REFERENCES, "editor.action.showReferences");
});
