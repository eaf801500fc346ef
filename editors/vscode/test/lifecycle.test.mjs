// The extension's life cycle (src/lifecycle.ts) with a client that keeps vscode-languageclient's
// rules: stop() throws unless the client is running (after a failed start its state is
// "startFailed"), start() on a stopping client throws. Restart and a settings change must
// work from every state, and a failed start must name chant.server.path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildSync } from "esbuild";

const outdir = mkdtempSync(join(tmpdir(), "chant-lifecycle-"));
const outfile = join(outdir, "lifecycle.mjs");
buildSync({ entryPoints: [fileURLToPath(new URL("../src/lifecycle.ts", import.meta.url))], bundle: true, format: "esm", platform: "node", outfile, logLevel: "error" });
const { Lifecycle, RestartPolicy, resolveServer, startFailureMessage, statusText, INDEX_TOKEN } = await import(pathToFileURL(outfile).href);
rmSync(outdir, { recursive: true, force: true });

/** Like vscode-languageclient's LanguageClient (common/client.js: start, shutdown). */
class FakeClient {
  constructor(command, outcome) {
    this.command = command;
    this.outcome = outcome; // "ok", "fail" or a promise deciding it
    this.state = "initial";
    this.stops = 0;
  }
  async start() {
    if (this.state === "stopping") throw new Error("Client is currently stopping. Can only restart a full stopped client");
    if (this.onStart) return this.onStart;
    this.state = "starting";
    this.onStart = (async () => {
      const outcome = await this.outcome;
      if (outcome === "ok") {
        this.state = "running";
      } else {
        this.state = "startFailed";
        throw new Error(`spawn ${this.command} ENOENT`);
      }
    })();
    return this.onStart;
  }
  async stop() {
    if (this.state === "stopped" || this.state === "initial") return;
    if (this.state !== "running") throw new Error(`Client is not running and can't be stopped. It's current state is: ${this.state}`);
    this.stops += 1;
    this.state = "stopping";
    await new Promise((r) => setTimeout(r, 5));
    this.state = "stopped";
    this.onStart = undefined;
  }
  isRunning() {
    return this.state === "running";
  }
}

/** A VS Code stand-in: settings, clients made, statuses shown, errors shown. */
function host(settings) {
  const h = {
    settings,
    clients: [],
    statuses: [],
    errors: [],
    lines: [],
    remote: undefined,
    resolve: () => (h.settings.path === "" ? { ok: false, why: "chant-lsp is not on PATH", from: "path" } : { ok: true, command: h.settings.path, from: "setting" }),
    createClient: (command) => {
      const c = new FakeClient(command, h.settings.outcome ?? (command === "/good/chant-lsp" ? "ok" : "fail"));
      h.clients.push(c);
      return c;
    },
    status: (s) => h.statuses.push(s),
    log: (l) => h.lines.push(l),
    startFailed: (m) => h.errors.push(m),
    remoteName: () => h.remote,
  };
  return h;
}

const running = (h) => h.clients.filter((c) => c.isRunning());

test("Restart after a failed start starts a new server", async () => {
  const h = host({ path: "/missing/chant-lsp" });
  const life = new Lifecycle(h);
  await life.start();
  assert.equal(life.status.state, "failed");
  assert.equal(h.clients[0].state, "startFailed");
  assert.equal(h.errors.length, 1);
  assert.match(h.errors[0], /chant\.server\.path/);
  assert.match(h.errors[0], /spawn \/missing\/chant-lsp ENOENT/);
  // The person fixes the setting and restarts: no "Client is not running and can't be stopped".
  h.settings.path = "/good/chant-lsp";
  await life.restart("Restart requested");
  assert.equal(h.clients.length, 2, "a fresh client, the failed one is not reused");
  assert.equal(life.status.state, "ready");
  assert.equal(life.running, h.clients[1]);
  // And again from the running state: the running server is stopped first.
  await life.restart("Restart requested");
  assert.equal(h.clients[1].stops, 1);
  assert.deepEqual(running(h), [h.clients[2]]);
});

test("a settings change after a failed start, twice, then a good path", async () => {
  const h = host({ path: "" });
  h.remote = "ssh-remote";
  const life = new Lifecycle(h);
  await life.start();
  assert.equal(life.status.state, "failed");
  assert.equal(h.clients.length, 0, "nothing to spawn");
  assert.match(h.errors[0], /chant\.server\.path/);
  assert.match(h.errors[0], /Remote \[ssh-remote\] or the Workspace settings/);
  h.settings.path = "/still/wrong";
  await life.restart("Settings changed");
  assert.equal(life.status.state, "failed");
  h.settings.path = "/good/chant-lsp";
  await life.restart("Settings changed");
  assert.equal(life.status.state, "ready");
  assert.deepEqual(running(h), [h.clients[1]]);
});

test("a restart while the server is still starting waits for the start", async () => {
  let finish;
  const h = host({ path: "/good/chant-lsp", outcome: new Promise((r) => (finish = r)) });
  const life = new Lifecycle(h);
  const first = life.start();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(life.status.state, "starting");
  const second = life.restart("Settings changed");
  h.settings.outcome = "ok";
  finish("ok");
  await Promise.all([first, second]);
  assert.equal(h.clients.length, 2);
  assert.equal(h.clients[0].stops, 1, "the first server is stopped once it runs");
  assert.deepEqual(running(h), [h.clients[1]]);
});

test("a restart while a start is failing, and many restarts at once", async () => {
  let finish;
  const h = host({ path: "/good/chant-lsp", outcome: new Promise((r) => (finish = r)) });
  const life = new Lifecycle(h);
  const first = life.start();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(life.status.state, "starting");
  const more = [life.restart("a"), life.restart("b"), life.restart("c")];
  h.settings.outcome = "ok";
  finish("fail");
  await Promise.all([first, ...more]);
  assert.equal(h.clients[0].state, "startFailed");
  assert.equal(h.clients.length, 4);
  assert.deepEqual(running(h), [h.clients[3]], "exactly one server runs");
  assert.equal(life.status.state, "ready");
});

test("a bad setting while running: the old server stops, the error names the setting", async () => {
  const h = host({ path: "/good/chant-lsp" });
  const life = new Lifecycle(h);
  await life.start();
  h.settings.path = "/typo/chant-lsp";
  await life.restart("Settings changed");
  assert.equal(h.clients[0].stops, 1);
  assert.equal(life.status.state, "failed");
  assert.equal(life.running, undefined);
  assert.match(h.errors[0], /"chant\.server\.path"/);
  await life.stop();
  assert.equal(life.status.state, "stopped");
});

test("the index progress drives the status: indexing with its percentage, then ready", async () => {
  const h = host({ path: "/good/chant-lsp" });
  const life = new Lifecycle(h);
  await life.start();
  life.progress("other-token", { kind: "begin", title: "something else" });
  assert.equal(life.status.state, "ready");
  life.progress(INDEX_TOKEN, { kind: "begin", title: "Indexing chant specs", percentage: 0 });
  assert.deepEqual(life.status, { state: "indexing", detail: "Indexing chant specs 0%" });
  life.progress(INDEX_TOKEN, { kind: "report", message: "/w: 12 specs", percentage: 50 });
  assert.deepEqual(life.status, { state: "indexing", detail: "/w: 12 specs 50%" });
  assert.match(statusText(life.status).text, /indexing/);
  life.progress(INDEX_TOKEN, { kind: "end", message: "chant specs indexed" });
  assert.deepEqual(life.status, { state: "ready", detail: "chant specs indexed" });
  assert.ok(h.lines.some((l) => l.includes("indexed")), "logged to the output channel");
  // A crash the client gives up on, then its own restart.
  life.exited(h.clients[0], "the server exited");
  assert.equal(life.status.state, "failed");
  life.resumed(h.clients[0]);
  assert.equal(life.status.state, "ready");
});

test("every state has a status text, and a click target in its tooltip", () => {
  for (const state of ["stopped", "starting", "indexing", "ready", "failed"]) {
    const { text, tooltip } = statusText({ state });
    assert.match(text, /chant/);
    assert.match(tooltip, /Click for the log/);
  }
});

test("the server binary: setting, then the bundled one, then PATH", () => {
  const fsWith = (...files) => ({ isExecutable: (p) => files.includes(p) });
  assert.deepEqual(resolveServer(" /opt/chant-lsp ", "/ext/server/chant-lsp", "/usr/bin", "linux", fsWith("/opt/chant-lsp")), { ok: true, command: "/opt/chant-lsp", from: "setting" });
  const bad = resolveServer("/opt/nope", "/ext/server/chant-lsp", "/usr/bin", "linux", fsWith("/ext/server/chant-lsp"));
  assert.equal(bad.ok, false);
  assert.match(bad.why, /chant\.server\.path.*\/opt\/nope/);
  assert.equal(resolveServer("", "/ext/server/chant-lsp", "/usr/bin", "linux", fsWith("/ext/server/chant-lsp")).from, "bundled");
  assert.deepEqual(resolveServer("", "/ext/server/chant-lsp", "/a::/home/u/.cargo/bin/", "linux", fsWith("/home/u/.cargo/bin/chant-lsp")), { ok: true, command: "/home/u/.cargo/bin/chant-lsp", from: "path" });
  assert.equal(resolveServer("", "x", "C:\\a;C:\\b", "win32", fsWith("C:\\b\\chant-lsp.exe")).command, "C:\\b\\chant-lsp.exe");
  const none = resolveServer("", "/ext/server/chant-lsp", "/usr/bin", "linux", fsWith());
  assert.equal(none.ok, false);
  assert.match(startFailureMessage(none.why, undefined), /not on PATH.*chant\.server\.path.*code-server, SSH/);
});

test("a server that dies before it ran is not respawned; one that ran is, 4 times in 3 minutes", () => {
  const p = new RestartPolicy();
  assert.equal(p.closed(0), "stop");
  p.running();
  const min = 60 * 1000;
  assert.deepEqual([1, 2, 3, 4, 5].map((t) => p.closed(t * 1000)), ["restart", "restart", "restart", "restart", "stop"]);
  assert.equal(p.closed(4 * min), "restart", "old crashes are forgotten");
});
