#!/usr/bin/env bash
# Editor integrations tested with the real clients against the real server. Each check is
# skipped (and counted) when its client is not installed; .ci/run installs them all.
#   CHANT_LSP_CMD=target/debug/chant-lsp bash tests/editors/run.sh
set -u
cd "$(dirname "$0")/../.."
export CHANT_LSP_CMD="${CHANT_LSP_CMD:-$PWD/target/debug/chant-lsp}"
export CHANT_EDITORS="$PWD/editors"
VENV="${CHANT_EDITORS_VENV:-$PWD/target/editors-venv}"
pass=0 fail=0 skip=0
check() {
  local name="$1"; shift
  if "$@" > "target/editors-$name.log" 2>&1; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name"; tail -20 "target/editors-$name.log"
  fi
}
skip() { skip=$((skip + 1)); echo "skip $1 ($2)"; }
mkdir -p target

nvim_run() { timeout 60 "$1" --headless -u NONE -i NONE -n -c "luafile tests/editors/nvim_test.lua"; }
if [ -x /usr/bin/nvim ]; then check nvim-apt-legacy env CHANT_NVIM_MODE=legacy bash -c "$(declare -f nvim_run); nvim_run /usr/bin/nvim"; else skip nvim-apt "no /usr/bin/nvim"; fi
if [ -x "$VENV/bin/nvim" ]; then
  check nvim-0.11-modern env CHANT_NVIM_MODE=modern bash -c "$(declare -f nvim_run); nvim_run $VENV/bin/nvim"
  check nvim-0.11-legacy env CHANT_NVIM_MODE=legacy bash -c "$(declare -f nvim_run); nvim_run $VENV/bin/nvim"
  check nvim-0.11-readme env CHANT_NVIM_MODE=readme bash -c "$(declare -f nvim_run); nvim_run $VENV/bin/nvim"
else skip nvim-0.11 "no $VENV/bin/nvim"; fi
if command -v emacs > /dev/null; then check emacs-eglot timeout 60 emacs --batch -Q -l tests/editors/eglot_test.el; else skip emacs "not installed"; fi
if [ -x "$VENV/bin/pytest" ]; then check pytest-lsp timeout 300 "$VENV/bin/pytest" -q tests/editors/test_clients.py; else skip pytest-lsp "no venv"; fi
if [ -d editors/vscode/node_modules ]; then
  check vscode-typecheck bash -c "cd editors/vscode && npx tsc --noEmit"
  check vscode-node-tests bash -c "cd editors/vscode && node --test test/*.test.mjs"
  check vscode-package bash -c "cd editors/vscode && npm run --silent package && ls chant-lsp-*.vsix && test \$(wc -c < dist/extension.js) -lt 600000"
else skip vscode "npm ci not run in editors/vscode"; fi
# Helix 25.07.1 (in no registry): built once per machine from ../shared/helix into
# ${CHANT_LSP_CACHE:-~/.cache/chant-lsp}, then driven in tmux; one result per check it lists.
helix_result() { grep -qx "ok $1" "$2" || { grep "^FAIL $1:" "$2"; sed -n "/^=== $1\$/,/^=== end $1\$/p" target/editors-helix.log; false; }; }
if ! command -v tmux > /dev/null; then skip helix "tmux not installed"
elif hx="$(bash tests/editors/helix_build.sh 2> target/editors-helix-build.log)"; then
  rm -f target/editors-helix.results
  timeout 600 python3 tests/editors/helix_test.py "$hx" "$CHANT_LSP_CMD" target/editors-helix.results > target/editors-helix.log 2>&1
  if [ -f target/editors-helix.results ]; then
    for name in $(sed -n 's/^\(ok\|FAIL\) \([a-z-]*\).*/\2/p' target/editors-helix.results); do check "helix-$name" helix_result "$name" target/editors-helix.results; done
  else fail=$((fail + 1)); echo "FAIL helix (no results)"; tail -20 target/editors-helix.log; fi
elif [ $? -eq 3 ]; then skip helix "$(tail -1 target/editors-helix-build.log); put the Helix 25.07.1 source there (see ../shared/helix/README.md) or set CHANT_HELIX_SRC"
else
  fail=$((fail + 1)); echo "FAIL helix-build"; tail -20 target/editors-helix-build.log
fi
check zed-cargo-check bash -c "cd editors/zed && cargo test --locked --quiet"
echo "editors: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
