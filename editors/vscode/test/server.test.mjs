// Drives the real chant-lsp through vscode-jsonrpc (the protocol layer under
// vscode-languageclient), with VS Code's capabilities: UTF-16, languageId chant-spec.
//   CHANT_LSP_CMD=/path/to/chant-lsp node --test test/*.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as rpc from "vscode-jsonrpc/node";

const server = process.env.CHANT_LSP_CMD || "chant-lsp";

test("diagnostics, hover and clean exit with VS Code's capabilities", { timeout: 30000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "chant-vscode-"));
  mkdirSync(join(root, ".chant", "specs"), { recursive: true });
  const spec = join(root, ".chant", "specs", "2026-03-01-001-aaa.md");
  const text = "---\nstatus: Completed\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A é\n";
  writeFileSync(spec, text);
  writeFileSync(join(root, ".chant", "specs", "2026-03-01-002-bbb.md"), "---\nstatus: completed\n---\n# Spec B, the dependency\n");

  // vscode-languageclient appends --stdio for the stdio transport.
  const child = spawn(server, ["--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  const published = new Promise((resolve) => {
    conn.onNotification("textDocument/publishDiagnostics", (p) => {
      if (p.uri.endsWith("001-aaa.md") && p.diagnostics.length > 0) resolve(p);
    });
  });
  conn.onRequest(() => null); // progress creation, registrations
  conn.listen();
  const init = await conn.sendRequest("initialize", {
    processId: process.pid,
    clientInfo: { name: "Visual Studio Code", version: "1.91.0" },
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }],
    capabilities: {
      textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ["markdown", "plaintext"] } },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
      window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } } },
      general: { positionEncodings: ["utf-16"] },
    },
    initializationOptions: { disable: [] },
  });
  assert.equal(init.capabilities.positionEncoding, "utf-16");
  conn.sendNotification("initialized", {});
  conn.sendNotification("textDocument/didOpen", { textDocument: { uri: pathToFileURL(spec).href, languageId: "chant-spec", version: 1, text } });
  const diags = await published;
  const codes = diags.diagnostics.map((d) => d.code).sort();
  assert.deepEqual(codes, ["invalid-value", "parse-error"]);
  const hover = await conn.sendRequest("textDocument/hover", { textDocument: { uri: pathToFileURL(spec).href }, position: { line: 2, character: 16 } });
  assert.match(hover.contents.value, /Spec B, the dependency/);
  await conn.sendRequest("shutdown");
  conn.sendNotification("exit");
  assert.equal(await exited, 0);
  conn.dispose();
});
