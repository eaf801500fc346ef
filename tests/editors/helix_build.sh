#!/usr/bin/env bash
# Builds Helix 25.07.1 from ../shared/helix (beside the clone) into a cache outside the clone,
# once per machine: a second run finds the binary and returns at once. Prints the hx path.
#   exit 0: built or cached; exit 3: no source (the caller skips); other: build failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=25.07.1
src="${CHANT_HELIX_SRC:-$PWD/../shared/helix/helix-$version}"
cache="${CHANT_LSP_CACHE:-$HOME/.cache/chant-lsp}/helix-$version"
hx="$cache/target/debug/hx"
if [ -x "$hx" ] && [ -d "$cache/runtime" ]; then echo "$hx"; exit 0; fi
if [ ! -f "$src/Cargo.toml" ]; then echo "no Helix source at $src" >&2; exit 3; fi
mkdir -p "$(dirname "$cache")"
# Copy into a fresh directory, then move it in place, so an interrupted copy is never taken
# for a source tree; a concurrent run that moved its copy first wins.
if [ ! -f "$cache/Cargo.toml" ]; then
  partial="$cache.partial.$$"
  rm -rf "$partial"
  cp -r "$src" "$partial"
  # The pinned toolchain cannot be downloaded here; the installed stable one builds it.
  rm -f "$partial/rust-toolchain.toml"
  mv -T "$partial" "$cache" 2> /dev/null || rm -rf "$partial"
  [ -f "$cache/Cargo.toml" ] || { echo "cannot set up $cache: remove it and retry" >&2; exit 1; }
fi
# Grammars are fetched with git from the internet; the language server works without them.
(cd "$cache" && HELIX_DISABLE_AUTO_GRAMMAR_BUILD=1 CARGO_TARGET_DIR="$cache/target" \
  cargo build --locked --bin hx >&2)
echo "$hx"
