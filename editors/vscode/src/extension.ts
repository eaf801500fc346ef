// The VS Code client for chant-lsp: starts the server for chant spec files only
// (language `chant-spec`, i.e. files under .chant/specs and .chant/archive).
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The setting, else the binary shipped in a platform package, else `chant-lsp` on PATH. */
export function serverCommand(context: vscode.ExtensionContext): string {
  const configured = vscode.workspace.getConfiguration("chant").get<string>("server.path", "").trim();
  if (configured) {
    return configured;
  }
  const bundled = path.join(context.extensionPath, "server", process.platform === "win32" ? "chant-lsp.exe" : "chant-lsp");
  return fs.existsSync(bundled) ? bundled : "chant-lsp";
}

function start(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("chant");
  const serverOptions: ServerOptions = {
    command: serverCommand(context),
    args: config.get<string[]>("server.extraArgs", []),
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "chant-spec" }],
    initializationOptions: { disable: config.get<string[]>("diagnostics.disable", []) },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/.chant/**") },
  };
  client = new LanguageClient("chant", "Chant", serverOptions, clientOptions);
  return client.start();
}

/** Runs one of the server's commands on the active spec. */
function serverCommandOnActive(name: string): () => Promise<void> {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    if (!client || !editor || editor.document.languageId !== "chant-spec") {
      void vscode.window.showWarningMessage("Open a chant spec (.chant/specs/*.md) first.");
      return;
    }
    await client.sendRequest("workspace/executeCommand", { command: name, arguments: [editor.document.uri.toString()] });
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
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
    vscode.commands.registerCommand("chant.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("chant.server") || e.affectsConfiguration("chant.diagnostics")) {
        await client?.stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
