// A VSIX for one platform that carries the server binary (under server/), so users need
// nothing else:  CHANT_LSP_BIN=../../target/release/chant-lsp npm run package:platform
// The target defaults to this machine's (linux-x64, darwin-arm64, win32-x64, ...).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync } from "node:fs";

const target = process.env.VSCE_TARGET || `${process.platform}-${process.arch}`;
const bin = process.env.CHANT_LSP_BIN || "../../target/release/chant-lsp";
const name = process.platform === "win32" ? "chant-lsp.exe" : "chant-lsp";
mkdirSync("server", { recursive: true });
copyFileSync(bin, `server/${name}`);
chmodSync(`server/${name}`, 0o755);
execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
execFileSync("npx", ["vsce", "package", "--no-dependencies", "--target", target, "--out", `chant-lsp-${target}.vsix`], { stdio: "inherit" });
