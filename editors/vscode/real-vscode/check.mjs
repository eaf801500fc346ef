// Drives VS Code (code-server) in headless Chromium: opens a spec, waits for the status bar
// to show the language and the server's problems, hovers a dependency, opens README.md.
import { existsSync, writeFileSync } from "node:fs";
import puppeteer from "puppeteer-core";

const [url, ws, server] = process.argv.slice(2);
let page;
const fail = async (msg) => {
  console.error(`FAIL real VS Code: ${msg}`);
  if (page) await page.screenshot({ path: process.env.CHANT_SCREENSHOT || "/tmp/chant-real-vscode.png" }).catch(() => {});
  process.exit(1);
};
const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  const open = async (name) => {
    await page.keyboard.down("Control");
    await page.keyboard.press("KeyP");
    await page.keyboard.up("Control");
    await page.waitForSelector(".quick-input-widget input", { visible: true, timeout: 20000 });
    await page.keyboard.type(name);
    // Enter only once the file is listed (file search answers asynchronously).
    await page.waitForFunction(
      (n) => [...document.querySelectorAll(".quick-input-list .monaco-list-row")].some((r) => (r.textContent || "").includes(n)),
      { timeout: 30000 },
      name,
    );
    await page.keyboard.press("Enter");
    await page.waitForSelector(".quick-input-widget", { hidden: true, timeout: 10000 }).catch(() => {});
  };
  const statusText = () => page.$$eval(".statusbar-item", (items) => items.map((i) => i.textContent || i.getAttribute("aria-label") || "").join(" | "));
  // The extension's own status item: "chant" after a codicon naming the state.
  const chantItem = (icon) => page.waitForFunction(
    (icon) => [...document.querySelectorAll(".statusbar-item")].some((i) => /^\s*chant(: indexing)?\s*$/.test(i.textContent || "") && i.querySelector(`.codicon-${icon}`)),
    { timeout: 60000 },
    icon,
  );
  await open("2026-03-01-001-aaa.md");
  // The workspace names a server that does not exist: the start fails, the error names the
  // setting, the status item says so. Then the setting is fixed: no reload needed.
  await chantItem("error").catch(async () => fail(`the status item does not show the failure: ${await statusText()}`));
  // The error names the setting (toasts may already be hidden: look in the notification list).
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { visible: true, timeout: 20000 });
  await page.keyboard.type("Notifications: Show Notifications");
  await page.waitForFunction(() => [...document.querySelectorAll(".quick-input-list .monaco-list-row")].some((r) => /Show Notifications/.test(r.textContent || "")), { timeout: 20000 });
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /could not start.*Set "chant\.server\.path"/s.test(document.body.innerText), { timeout: 30000 }).catch(async () => fail(`no error naming chant.server.path: ${await statusText()}`));
  await page.keyboard.press("Escape");
  // A click on the item opens the "Chant" output, which has the server's stderr.
  await page.evaluate(() => {
    const item = [...document.querySelectorAll(".statusbar-item")].find((i) => /^\s*chant\s*$/.test(i.textContent || ""));
    (item?.querySelector("a, .statusbar-item-label") || item)?.click();
  });
  await page.waitForFunction(() => [...document.querySelectorAll(".view-lines")].some((v) => /not\sa\slanguage\sserver,\sexiting/.test(v.textContent || "")), { timeout: 30000 }).catch(() => fail("the server's stderr is not in the Chant output"));
  writeFileSync(`${ws}/.vscode/settings.json`, JSON.stringify({ "chant.server.path": server, "workbench.startupEditor": "none", "security.workspace.trust.enabled": false }));
  await chantItem("check").catch(async () => fail(`not ready after fixing chant.server.path: ${await statusText()}`));
  await page.waitForFunction(() => [...document.querySelectorAll(".statusbar-item")].some((i) => /Chant Spec/.test(i.textContent || "")), { timeout: 60000 }).catch(async () => fail(`language not shown: ${await statusText()}`));
  // The dependency is unknown to nobody: the body mentions another spec, so chant's
  // coupling rule warns; the status bar counts the server's problems.
  await page.waitForFunction(() => [...document.querySelectorAll(".statusbar-item")].some((i) => /Warnings?: ?[1-9]|[1-9]\s*⚠|warning/i.test((i.getAttribute("aria-label") || "") + (i.textContent || ""))), { timeout: 60000 }).catch(async () => fail(`no diagnostics in the status bar: ${await statusText()}`));
  // Hover over the dependency ID on line 3.
  const token = await page.waitForSelector(".view-lines", { timeout: 20000 });
  const lines = await page.$$(".view-lines .view-line");
  const target = lines.find(Boolean) && (await Promise.all(lines.map(async (l) => [l, await l.evaluate((e) => e.textContent)]))).find(([, t]) => t.startsWith("depends_on"));
  if (!target) fail("could not find the depends_on line");
  const box = await target[0].boundingBox();
  await page.mouse.move(box.x + 200, box.y + box.height / 2);
  await page.waitForFunction(() => /Spec B, the dependency/.test(document.querySelector(".monaco-hover")?.textContent || ""), { timeout: 30000 }).catch(() => fail("hover did not show the dependency"));
  // The dependency's "1 dependent" lens is a link (chant.showReferences): a click opens
  // VS Code's references peek on the dependent spec.
  await open("2026-03-01-002-bbb.md");
  const lens = await page.waitForFunction(
    () => [...document.querySelectorAll(".codelens-decoration a")].find((a) => /^\s*1 dependent\s*$/.test(a.textContent || "")),
    { timeout: 30000 },
  ).catch(async () => fail(`no clickable "1 dependent" lens: ${await page.$$eval(".codelens-decoration", (d) => d.map((e) => e.innerHTML).join(" | "))}`));
  await lens.asElement().click();
  await page.waitForFunction(
    () => [...document.querySelectorAll(".peekview-widget")].some((w) => /2026-03-01-001-aaa/.test(w.textContent || "")),
    { timeout: 30000 },
  ).catch(() => fail("a click on \"1 dependent\" did not open the references peek on 2026-03-01-001-aaa.md"));
  await page.keyboard.press("Escape");
  // Restart from the running state, through the command palette.
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { visible: true, timeout: 20000 });
  await page.keyboard.type("Chant: Restart the language server");
  await page.waitForFunction(() => [...document.querySelectorAll(".quick-input-list .monaco-list-row")].some((r) => /Restart the language server/.test(r.textContent || "")), { timeout: 20000 });
  await page.keyboard.press("Enter");
  await chantItem("check").catch(async () => fail(`not ready after a restart: ${await statusText()}`));
  await page.waitForFunction(() => ![...document.querySelectorAll(".notification-toast")].some((t) => /can't be stopped/.test(t.textContent || "")), { timeout: 5000 }).catch(() => fail("\"Client is not running and can't be stopped\" shown"));
  // The workflow actions are in the Ctrl+. menu (they were `source` actions, which it leaves
  // out), and a confirmation is a modal dialog with one Cancel that does not hide itself.
  await open("2026-03-01-005-fix.md");
  await page.waitForSelector(".monaco-editor.focused", { timeout: 20000 }).catch(() => {});
  await page.keyboard.down("Control");
  await page.keyboard.press("Period");
  await page.keyboard.up("Control");
  const menuText = () => page.$$eval(".action-widget .monaco-list-row", (rows) => rows.map((r) => r.textContent || "").join(" | ")).catch(() => "");
  await page.waitForFunction(
    () => [...document.querySelectorAll(".action-widget .monaco-list-row")].some((r) => /Archive investigation #9/.test(r.textContent || "")),
    { timeout: 30000 },
  ).catch(async () => fail(`"Archive investigation #9" is not in the Ctrl+. menu: ${await menuText()}`));
  const items = await menuText();
  if (!/Submit upstream PR/.test(items)) fail(`"Submit upstream PR…" is not in the Ctrl+. menu: ${items}`);
  await page.evaluate(() => {
    const row = [...document.querySelectorAll(".action-widget .monaco-list-row")].find((r) => /Archive investigation #9/.test(r.textContent || ""));
    row?.click();
  });
  await page.waitForSelector(".monaco-dialog-box", { visible: true, timeout: 30000 }).catch(() => fail("the confirmation is not a modal dialog (.monaco-dialog-box)"));
  const dialogText = () => page.$eval(".monaco-dialog-box", (d) => d.textContent || "");
  const buttons = () => page.$$eval(".monaco-dialog-box .dialog-buttons .monaco-button", (bs) => bs.map((b) => (b.textContent || "").trim()));
  // No PR was ever opened (no git remote here): the dialog offers archiving without one.
  if (!/Archive the 1 spec of issue #9 without a merged pull request\?/.test(await dialogText()) || !/2026-03-01-005-fix/.test(await dialogText())) fail(`the dialog does not ask about issue #9 and list its spec: ${await dialogText()}`);
  const shown = await buttons();
  if (shown.filter((b) => b === "Cancel").length !== 1 || !shown.includes("Archive without a merged PR")) fail(`the dialog's buttons are ${JSON.stringify(shown)}`);
  // A toast hides itself after about 12 s; the dialog is still there after 15.
  await new Promise((r) => setTimeout(r, 15000));
  if (!(await page.$(".monaco-dialog-box"))) fail("the confirmation dialog hid itself before it was answered");
  await page.evaluate(() => {
    const b = [...document.querySelectorAll(".monaco-dialog-box .dialog-buttons .monaco-button")].find((x) => (x.textContent || "").trim() === "Cancel");
    b?.click();
  });
  await page.waitForSelector(".monaco-dialog-box", { hidden: true, timeout: 10000 }).catch(() => fail("the dialog's Cancel did not close it"));
  await page.waitForFunction(() => /Nothing archived/.test(document.body.innerText), { timeout: 30000 }).catch(() => fail("the server was not told the confirmation was cancelled (no \"Nothing archived\")"));
  if (!existsSync(`${ws}/.chant/specs/2026-03-01-005-fix.md`)) fail("the spec was archived although the dialog was cancelled");
  await open("README.md");
  await page.waitForFunction(() => [...document.querySelectorAll(".statusbar-item")].some((i) => /^\s*Markdown\s*$/.test(i.textContent || "")), { timeout: 30000 }).catch(async () => fail(`README.md is not markdown: ${await statusText()}`));
  void token;
  console.log("PASS real VS Code (code-server): a failed start names chant.server.path, shows in the status item, logs the server's stderr in the Chant output, and recovers when the setting is fixed; language Chant Spec, diagnostics in the status bar, hover, the 1-dependent lens opens the references peek, restart, the workflow actions in the Ctrl+. menu, a modal confirmation that stays until cancelled, README.md stays Markdown");
} finally {
  await browser.close();
}
