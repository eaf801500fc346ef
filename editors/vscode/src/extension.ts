// The VS Code client for chant-lsp: starts the server for chant spec files only
// (language `chant-spec`, i.e. files under .chant/specs and .chant/archive). The life cycle
// (which binary, restarts from any state, the status) is in lifecycle.ts.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { CloseAction, ErrorAction, LanguageClient, LanguageClientOptions, ServerOptions, ShowMessageRequest, State, TransportKind } from "vscode-languageclient/node";
import { answer } from "./confirm";
import { Lifecycle, ProgressValue, resolveServer, RestartPolicy, SERVER_PATH_SETTING, statusText } from "./lifecycle";
import { SHOW_REFERENCES, showReferencesArgs, VSCODE_SHOW_REFERENCES } from "./references";

let lifecycle: Lifecycle | undefined;

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function createClient(command: string, output: vscode.LogOutputChannel, life: () => Lifecycle): LanguageClient {
  const config = vscode.workspace.getConfiguration("chant");
  const policy = new RestartPolicy();
  const serverOptions: ServerOptions = {
    command,
    args: config.get<string[]>("server.extraArgs", []),
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "chant-spec" }],
    // showReferencesCommand: the server's lenses call it; without it they are only labels.
    initializationOptions: { disable: config.get<string[]>("diagnostics.disable", []), showReferencesCommand: SHOW_REFERENCES },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/.chant/**") },
    // One channel for every client: the server's stderr and our own log land in "Chant",
    // across restarts, instead of a new empty channel per client.
    outputChannel: output,
    errorHandler: {
      error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
      closed: () =>
        policy.closed(Date.now()) === "restart"
          ? { action: CloseAction.Restart }
          : { action: CloseAction.DoNotRestart, handled: true },
    },
    middleware: {
      handleWorkDoneProgress: (token, params, next) => {
        life().progress(token, params as ProgressValue);
        next(token, params);
      },
    },
  };
  const client = new LanguageClient("chant", "Chant", serverOptions, clientOptions);
  // Confirmations as a modal dialog (confirm.ts). Registered before start(): the client
  // installs handlers registered this way after its own defaults, on every (re)start, so
  // this one replaces its toast.
  client.onRequest(ShowMessageRequest.type, (params) => answer(vscode.window, params));
  client.onDidChangeState((e) => {
    if (e.newState === State.Stopped && e.oldState === State.Running) {
      life().exited(client, "the server exited; see the log");
    } else if (e.newState === State.Running) {
      policy.running();
      life().resumed(client);
    }
  });
  return client;
}

/** Runs one of the server's commands on the active spec. */
function serverCommandOnActive(name: string): () => Promise<void> {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    const client = lifecycle?.running as LanguageClient | undefined;
    if (!editor || editor.document.languageId !== "chant-spec") {
      void vscode.window.showWarningMessage("Open a chant spec (.chant/specs/*.md) first.");
      return;
    }
    if (!client) {
      void vscode.window.showWarningMessage("chant-lsp is not running: see the Chant output.");
      return;
    }
    await client.sendRequest("workspace/executeCommand", { command: name, arguments: [editor.document.uri.toString()] });
  };
}

/** The lenses' command: converts the server's LSP JSON and opens VS Code's references peek. */
async function showReferences(output: vscode.LogOutputChannel, ...args: unknown[]): Promise<void> {
  const client = lifecycle?.running as LanguageClient | undefined;
  if (!client) {
    void vscode.window.showWarningMessage("chant-lsp is not running: see the Chant output.");
    return;
  }
  const converted = showReferencesArgs(args, client.protocol2CodeConverter);
  if (!converted.ok) {
    output.warn(`${SHOW_REFERENCES}: ${converted.why}`);
    return;
  }
  await vscode.commands.executeCommand(VSCODE_SHOW_REFERENCES, ...converted.args);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Chant", { log: true });
  const item = vscode.window.createStatusBarItem("chant-lsp.status", vscode.StatusBarAlignment.Left, 0);
  item.name = "chant-lsp";
  item.command = "chant.showOutput";
  item.show();
  context.subscriptions.push(output, item);

  const life: Lifecycle = new Lifecycle({
    resolve: () => {
      const configured = vscode.workspace.getConfiguration("chant").get<string>("server.path", "");
      const bundled = path.join(context.extensionPath, "server", process.platform === "win32" ? "chant-lsp.exe" : "chant-lsp");
      return resolveServer(configured, bundled, process.env.PATH ?? "", process.platform, { isExecutable });
    },
    createClient: (command) => createClient(command, output, () => life),
    status: (status) => {
      const { text, tooltip } = statusText(status);
      item.text = text;
      item.tooltip = tooltip;
      item.backgroundColor = status.state === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    },
    log: (line) => output.info(line),
    startFailed: (message) => {
      void vscode.window.showErrorMessage(message, "Open Settings", "Show Log").then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", SERVER_PATH_SETTING);
        } else if (choice === "Show Log") {
          output.show();
        }
      });
    },
    remoteName: () => vscode.env.remoteName,
  });
  lifecycle = life;

  const commands: [string, string][] = [
    ["chant.archiveSpec", "chant-lsp.archive"],
    ["chant.archiveSpecAnyway", "chant-lsp.archiveAnyway"],
    ["chant.archiveInvestigation", "chant-lsp.archiveInvestigation"],
    ["chant.draftPr", "chant-lsp.draftPr"],
    ["chant.submitPr", "chant-lsp.submitPr"],
  ];
  for (const [id, server] of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(id, serverCommandOnActive(server)));
  }
  context.subscriptions.push(
    vscode.commands.registerCommand("chant.restartServer", () => life.restart("Restart requested")),
    vscode.commands.registerCommand("chant.showOutput", () => output.show()),
    vscode.commands.registerCommand(SHOW_REFERENCES, (...args: unknown[]) => showReferences(output, ...args)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("chant.server") || e.affectsConfiguration("chant.diagnostics")) {
        void life.restart("Settings changed");
      }
    }),
  );
  await life.start();
}

export async function deactivate(): Promise<void> {
  await lifecycle?.stop();
}
