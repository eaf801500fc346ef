// The server's life cycle, without VS Code: which binary to run, starting, restarting from any
// state (a client whose start failed cannot be stopped, only replaced), and the state shown in
// the status bar. extension.ts wires it to VS Code and vscode-languageclient; the node tests
// drive it with a client that behaves like vscode-languageclient's.

/** What vscode-languageclient's `LanguageClient` offers that the life cycle needs. */
export interface Client {
  start(): Promise<void>;
  stop(): Promise<void>;
  isRunning(): boolean;
}

export type ServerState = "stopped" | "starting" | "indexing" | "ready" | "failed";

export interface Status {
  state: ServerState;
  /** Progress message, failure reason, ... */
  detail?: string;
}

/** The binary to start, or why there is none. */
export type Resolution =
  | { ok: true; command: string; from: "setting" | "bundled" | "path" }
  | { ok: false; why: string; from: "setting" | "path" };

export interface Host {
  /** Reads the settings now (they may have changed since the last start). */
  resolve(): Resolution;
  /** A fresh client for `command`: a failed client is never reused. */
  createClient(command: string): Client;
  status(status: Status): void;
  log(line: string): void;
  /** Tells the person the server cannot start; `message` names the setting and where to set it. */
  startFailed(message: string): void;
  /** `vscode.env.remoteName`: set in SSH, WSL, container and tunnel windows. */
  remoteName(): string | undefined;
}

/** The token of the server's indexing progress (server/src/lsp/server.rs). */
export const INDEX_TOKEN = "chant-lsp/index";

export const SERVER_PATH_SETTING = "chant.server.path";

/** Where a person sets `chant.server.path` so that it reaches the machine the server runs on. */
export function whereToSet(remoteName: string | undefined): string {
  if (remoteName) {
    return `This window is remote (${remoteName}): the server runs on the remote machine, so set it in the Remote [${remoteName}] or the Workspace settings, not in your local User settings.`;
  }
  return "Set it in the User or Workspace settings; in a remote window (code-server, SSH, WSL, containers) use the Remote or Workspace settings, since local User settings do not reach the remote machine.";
}

/** The error shown when the server cannot start: what failed, the setting, and where to set it. */
export function startFailureMessage(what: string, remoteName: string | undefined): string {
  return `Chant: the language server could not start: ${what}. Set "${SERVER_PATH_SETTING}" to the chant-lsp binary (install it with \`cargo install --path server\`). ${whereToSet(remoteName)}`;
}

export interface Fs {
  isExecutable(path: string): boolean;
}

/** The setting, else the binary shipped in a platform VSIX, else `chant-lsp` on PATH. */
export function resolveServer(
  configured: string,
  bundled: string,
  pathEnv: string,
  platform: string,
  fs: Fs,
): Resolution {
  const setting = configured.trim();
  if (setting) {
    return fs.isExecutable(setting)
      ? { ok: true, command: setting, from: "setting" }
      : { ok: false, why: `"${SERVER_PATH_SETTING}" is "${setting}", which is not an executable file`, from: "setting" };
  }
  if (fs.isExecutable(bundled)) {
    return { ok: true, command: bundled, from: "bundled" };
  }
  const sep = platform === "win32" ? ";" : ":";
  const names = platform === "win32" ? ["chant-lsp.exe", "chant-lsp.cmd", "chant-lsp"] : ["chant-lsp"];
  const slash = platform === "win32" ? "\\" : "/";
  for (const dir of pathEnv.split(sep)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = dir.endsWith(slash) ? dir + name : dir + slash + name;
      if (fs.isExecutable(candidate)) {
        return { ok: true, command: candidate, from: "path" };
      }
    }
  }
  return { ok: false, why: "chant-lsp is not on PATH and this extension carries no server binary", from: "path" };
}

/** The status bar's text and tooltip for a state (codicons in `$(...)`). */
export function statusText(status: Status): { text: string; tooltip: string } {
  const detail = status.detail ? `: ${status.detail}` : "";
  switch (status.state) {
    case "starting":
      return { text: "$(sync~spin) chant", tooltip: "chant-lsp is starting. Click for the log." };
    case "indexing":
      return { text: "$(sync~spin) chant: indexing", tooltip: `chant-lsp is indexing the specs${detail}. Click for the log.` };
    case "ready":
      return { text: "$(check) chant", tooltip: `chant-lsp is ready${detail}. Click for the log.` };
    case "failed":
      return { text: "$(error) chant", tooltip: `chant-lsp is not running${detail}. Click for the log; "Chant: Restart the language server" retries.` };
    case "stopped":
      return { text: "$(circle-slash) chant", tooltip: "chant-lsp is stopped. Click for the log." };
  }
}

/** `$/progress` values (LSP WorkDoneProgress begin/report/end). */
export interface ProgressValue {
  kind: "begin" | "report" | "end";
  title?: string;
  message?: string;
  percentage?: number;
}

/** When the connection closes: a server that never got through `initialize` is not restarted
 * (vscode-languageclient would respawn it 5 times and leave its own state inconsistent; the
 * start fails instead, with the message naming the setting); one that ran is restarted up to 4
 * times in 3 minutes, as vscode-languageclient's default handler does. */
export class RestartPolicy {
  private ran = false;
  private crashes: number[] = [];

  running(): void {
    this.ran = true;
  }

  closed(now: number): "restart" | "stop" {
    if (!this.ran) return "stop";
    this.crashes = this.crashes.filter((t) => now - t < 3 * 60 * 1000);
    this.crashes.push(now);
    return this.crashes.length <= 4 ? "restart" : "stop";
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export class Lifecycle {
  private client: Client | undefined;
  /** Starts and stops run one after another: a restart during a start waits for it. */
  private queue: Promise<void> = Promise.resolve();
  private current: Status = { state: "stopped" };

  constructor(private readonly host: Host) {}

  get status(): Status {
    return this.current;
  }

  /** The running client, for requests; undefined while stopped, starting or failed. */
  get running(): Client | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  private set(status: Status): void {
    this.current = status;
    this.host.status(status);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    // A failure is reported by the step itself; the queue goes on.
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops whatever runs (in any state) and starts a fresh client with the current settings. */
  restart(reason: string): Promise<void> {
    return this.enqueue(async () => {
      this.host.log(`${reason}: restarting chant-lsp`);
      await this.release();
      await this.launch();
    });
  }

  start(): Promise<void> {
    return this.enqueue(() => this.launch());
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      await this.release();
      this.set({ state: "stopped" });
    });
  }

  /** Progress from the server: the index token drives "indexing" and then "ready". */
  progress(token: string | number, value: ProgressValue): void {
    if (token !== INDEX_TOKEN || !this.client) return;
    const percent = typeof value.percentage === "number" ? ` ${value.percentage}%` : "";
    if (value.kind === "end") {
      this.host.log(`indexed: ${value.message ?? "done"}`);
      this.set({ state: "ready", detail: value.message });
    } else {
      const detail = `${value.message ?? value.title ?? ""}${percent}`.trim();
      this.set({ state: "indexing", detail });
    }
  }

  /** The client stopped by itself (the server crashed and the client gave up). */
  exited(client: Client, why: string): void {
    if (client !== this.client) return;
    this.host.log(`chant-lsp stopped: ${why}`);
    this.set({ state: "failed", detail: why });
  }

  /** The client restarted itself after a crash (vscode-languageclient does, a few times). */
  resumed(client: Client): void {
    if (client !== this.client || this.current.state !== "failed") return;
    this.host.log("chant-lsp is running again");
    this.set({ state: "ready" });
  }

  /** Drops the current client. Only a running client can be stopped (vscode-languageclient
   * throws otherwise, e.g. after a failed start); any other is just let go. */
  private async release(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    if (!old || !old.isRunning()) return;
    try {
      await old.stop();
    } catch (e) {
      this.host.log(`stopping chant-lsp: ${describe(e)} (ignored, a new one starts)`);
    }
  }

  private async launch(): Promise<void> {
    const found = this.host.resolve();
    if (!found.ok) {
      this.fail(found.why);
      return;
    }
    this.set({ state: "starting" });
    this.host.log(`starting ${found.command} (from ${found.from === "setting" ? SERVER_PATH_SETTING : found.from === "bundled" ? "the extension" : "PATH"})`);
    const client = this.host.createClient(found.command);
    this.client = client;
    try {
      await client.start();
    } catch (e) {
      if (this.client === client) this.fail(`${found.command}: ${describe(e)}`);
      return;
    }
    if (this.client !== client) return;
    this.host.log("chant-lsp is running");
    // Indexing may already have been reported during the start.
    if (this.current.state === "starting") this.set({ state: "ready" });
  }

  private fail(why: string): void {
    this.host.log(`chant-lsp could not start: ${why}`);
    this.set({ state: "failed", detail: why });
    this.host.startFailed(startFailureMessage(why, this.host.remoteName()));
  }
}
