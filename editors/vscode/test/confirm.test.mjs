// The server's confirmations as VS Code dialogs (src/confirm.ts), with a fake `window` that
// records each call and answers like VS Code: the chosen button's title, or undefined when
// the person cancels (the modal's own Cancel, Escape, the close button).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildSync } from "esbuild";

const outdir = mkdtempSync(join(tmpdir(), "chant-confirm-"));
const outfile = join(outdir, "confirm.mjs");
buildSync({ entryPoints: [fileURLToPath(new URL("../src/confirm.ts", import.meta.url))], bundle: true, format: "esm", platform: "node", outfile, logLevel: "error" });
const { answer, dialog, chosen, MessageType } = await import(pathToFileURL(outfile).href);
rmSync(outdir, { recursive: true, force: true });

/** A `vscode.window` whose dialogs answer `pick(args)` and remember how they were called. */
function fakeWindow(pick) {
  const calls = [];
  const record = (name) => async (...args) => {
    calls.push({ name, args });
    return pick(args);
  };
  return { calls, showErrorMessage: record("error"), showWarningMessage: record("warning"), showInformationMessage: record("information") };
}

// What the server sends to confirm a pull request (lsp/commands.rs: ask).
const submit = {
  type: MessageType.Warning,
  message: "Create a public pull request on acme/kvstore?\nforker:fix-1234 -> main: \"Fix #1234: lock the segment during put\"\nThe fix spec is in_progress.",
  actions: [{ title: "Create pull request" }, { title: "Create draft pull request" }, { title: "Cancel" }],
};

test("a warning with choices is a modal dialog: first line, the rest as detail, no second Cancel", () => {
  assert.deepEqual(dialog(submit), {
    show: "showWarningMessage",
    message: "Create a public pull request on acme/kvstore?",
    options: { modal: true, detail: "forker:fix-1234 -> main: \"Fix #1234: lock the segment during put\"\nThe fix spec is in_progress." },
    titles: ["Create pull request", "Create draft pull request"],
  });
  // One line only: no empty detail under it.
  assert.deepEqual(dialog({ ...submit, message: "Archive 6 specs of issue #1234?" }).options, { modal: true });
  // Only a choice titled exactly "Cancel" goes.
  assert.deepEqual(dialog({ ...submit, actions: [{ title: "Cancel it all" }, { title: "Cancel" }] }).titles, ["Cancel it all"]);
});

test("other requests stay notifications with every choice", () => {
  for (const [type, show] of [[MessageType.Error, "showErrorMessage"], [MessageType.Info, "showInformationMessage"], [MessageType.Log, "showInformationMessage"]]) {
    assert.deepEqual(dialog({ ...submit, type }), { show, message: submit.message, titles: ["Create pull request", "Create draft pull request", "Cancel"] });
  }
  // A warning without choices is not a question.
  assert.deepEqual(dialog({ type: MessageType.Warning, message: "a\nb", actions: null }), { show: "showWarningMessage", message: "a\nb", titles: [] });
});

test("the answer is the server's own item, or null", () => {
  const withProps = { ...submit, actions: [{ title: "Archive", id: 7 }, { title: "Cancel" }] };
  assert.equal(chosen(withProps, "Archive"), withProps.actions[0]);
  assert.equal(chosen(withProps, undefined), null);
  assert.equal(chosen(withProps, "Something VS Code made up"), null);
});

test("answer shows the modal dialog and maps the person's choice", async () => {
  const draft = fakeWindow((args) => args[3]);
  assert.deepEqual(await answer(draft, submit), { title: "Create draft pull request" });
  assert.equal(draft.calls.length, 1);
  assert.equal(draft.calls[0].name, "warning");
  assert.deepEqual(draft.calls[0].args, [
    "Create a public pull request on acme/kvstore?",
    { modal: true, detail: "forker:fix-1234 -> main: \"Fix #1234: lock the segment during put\"\nThe fix spec is in_progress." },
    "Create pull request",
    "Create draft pull request",
  ]);
  // The dialog's Cancel (or Escape) answers undefined: the server gets null.
  const cancelled = fakeWindow(() => undefined);
  assert.equal(await answer(cancelled, submit), null);
  // A notification is called without modal options.
  const info = fakeWindow((args) => args[1]);
  assert.deepEqual(await answer(info, { type: MessageType.Info, message: "Pick one", actions: [{ title: "A" }, { title: "B" }] }), { title: "A" });
  assert.deepEqual(info.calls[0], { name: "information", args: ["Pick one", "A", "B"] });
});
