#!/usr/bin/env python3
"""A real Helix (25.07.1) against the real server, driven in tmux with the project's
editors/helix files: diagnostics on screen, hover on a dependency, a quick fix applied and
saved, and "Submit upstream PR..." confirmed through the code action that released Helix
needs (it answers window/showMessageRequest with MethodNotFound), against a fake GitHub on
127.0.0.1 that must receive exactly one POST.

    python3 tests/editors/helix_test.py HX CHANT_LSP_CMD RESULTS

Writes one line per check to RESULTS ("ok NAME" or "FAIL NAME: why") and the details of each
failure (screen, the end of hx's JSON-RPC log) to stdout; exit 1 if any failed.
Every wait is bounded; the tmux server (its own socket) is killed and the temporary
directory removed at the end, whatever happens.
"""

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHECKS = ["health", "diagnostics", "quick-fix", "hover", "submit-pr"]
FIX = ".chant/specs/2026-02-08-009-fix.md"
FOLLOW = ".chant/specs/2026-02-08-00b-fol.md"
IMPACT_TITLE = "Impact map: issue #1234"
PR_TITLE = "Fix #1234: lock the segment during put"

# The investigation of tests/e2e/pr.rs, plus a spec with a short dependency ID.
SPECS = {
    ".chant/specs/2026-02-08-001-cmp.md": "---\ntype: research\nstatus: completed\nlabels: [issue-1234, comprehension]\ninformed_by: [https://github.com/acme/kvstore/issues/1234]\ntarget_files: [.chant/research/issue-1234-comprehension.md]\n---\n# Comprehension: issue #1234\n",
    ".chant/research/issue-1234-comprehension.md": "# Issue 1234\n\n## Observable Symptom\n\nTwo concurrent writes to one key: one of them is lost.\n",
    ".chant/specs/2026-02-08-002-rep.md": "---\ntype: task\nstatus: completed\nlabels: [issue-1234, reproduction]\ntarget_files: [tests/regression/issue_1234_test.rs]\n---\n# Reproduce issue #1234\n",
    ".chant/specs/2026-02-08-005-rca.md": "---\ntype: research\nstatus: completed\nlabels: [issue-1234, root-cause]\ntarget_files: [.chant/research/issue-1234-root-cause.md]\n---\n# Root cause: issue #1234\n",
    ".chant/research/issue-1234-root-cause.md": "# Root cause\n\n## Root Cause\n\n`Store::put` reads, modifies and writes the segment without a lock.\n\n## Recommended Solution\n\nHold the segment lock for the whole update.\n",
    ".chant/specs/2026-02-08-008-imp.md": "---\ntype: research\nstatus: completed\nlabels: [issue-1234, impact-map]\ntarget_files: [.chant/research/issue-1234-impact-map.md]\n---\n# " + IMPACT_TITLE + "\n",
    ".chant/research/issue-1234-impact-map.md": "# Impact\n\n- src/storage/store.rs - the race itself\n- src/storage/compaction.rs - same read-modify-write pattern\n\n## Test Gaps\n\n- compaction under concurrent writes\n",
    FIX: "---\ntype: code\nstatus: completed\nlabels: [issue-1234, fix]\nbranch: fix-1234\ntarget_files: [src/storage/store.rs, src/storage/compaction.rs, tests/regression/issue_1234_test.rs]\n---\n# Fix issue #1234: lock the segment during put\n\nHand-written notes stay.\n\n## Acceptance Criteria\n\n- [x] Compaction uses the same lock\n- [x] Regression test passes\n",
    FOLLOW: "---\ntype: task\nstatus: pending\ndepends_on: [008-imp]\n---\n# Follow-up: document the segment lock\n",
    "src/storage/store.rs": "// store\n",
}


def pr_json(number, owner, branch):
    """The fields octocrab needs to read a pull request (tests/e2e/fake_github.rs)."""
    return {
        "id": number * 1000,
        "number": number,
        "url": f"https://api.github.com/repos/acme/kvstore/pulls/{number}",
        "html_url": f"https://github.com/acme/kvstore/pull/{number}",
        "state": "open",
        "merged": False,
        "merged_at": None,
        "head": {"ref": branch, "sha": "abc123", "label": f"{owner}:{branch}"},
        "base": {"ref": "main", "sha": "def456", "label": "acme:main"},
    }


class FakeGitHub:
    """GitHub's REST API for one repository, on 127.0.0.1; records every request."""

    ROUTES = {
        ("GET", "/repos/acme/kvstore"): (200, {"id": 1, "name": "kvstore", "url": "https://api.github.com/repos/acme/kvstore", "default_branch": "main"}),
        ("GET", "/repos/acme/kvstore/pulls"): (200, []),
        ("POST", "/repos/acme/kvstore/pulls"): (201, pr_json(7, "forker", "fix-1234")),
    }

    def __init__(self):
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                fake.requests.append({"method": self.command, "path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                status, reply = fake.ROUTES.get((self.command, self.path.split("?")[0]), (404, {"message": "Not Found"}))
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posts(self):
        return [r for r in self.requests if r["method"] == "POST"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Failed(Exception):
    pass


class Helix:
    """hx in a detached tmux session on a private tmux server."""

    def __init__(self, tmp, env, cwd, file):
        # A private tmux server whose socket lives (and goes) with the temporary directory.
        self.socket = str(tmp / "tmux.sock")
        self.tmp = tmp
        self.env = env
        cmd = ["hx", "-v", "--log", str(tmp / "hx.log"), file]
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "hx", "-x", "230", "-y", "50", "-c", str(cwd), *cmd)

    def tmux(self, *args):
        out = subprocess.run(["tmux", "-S", self.socket, *args], env=self.env, capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise Failed(f"tmux {' '.join(args[:3])}: {out.stderr.strip()}")
        return out.stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-J", "-t", "hx")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "hx", *keys)
        time.sleep(0.15)

    def type(self, text):
        self.tmux("send-keys", "-t", "hx", "-l", text)
        time.sleep(0.15)

    def wait(self, what, test, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if test(screen):
                return screen
            time.sleep(0.2)
        raise Failed(f"{what} (waited {timeout} s); screen:\n{self.screen()}")

    def wait_text(self, text, timeout=20):
        return self.wait(f"no {text!r} on screen", lambda s: text in s, timeout)

    def command(self, line):
        self.keys("Escape")
        self.type(":" + line)
        self.keys("Enter")

    def styled(self):
        """The screen with its colours (SGR escapes), one string per row."""
        return self.tmux("capture-pane", "-p", "-e", "-t", "hx").splitlines()

    def code_action(self, title):
        """Opens the code-action menu (space a) and picks the entry containing `title`.

        The default theme draws the selected entry reversed (SGR 7): Down moves the selection
        until the entry's row has it, then Enter runs that entry."""
        self.keys("Escape")
        time.sleep(0.3)
        # The title may be on screen already (in a message): wait for one more.
        shown = self.screen().count(title)
        self.keys("Space")
        self.keys("a")
        self.wait(f"no code action {title!r}", lambda s: s.count(title) > shown)
        time.sleep(0.3)

        def selected(row):
            before = row[: row.index(title)]
            reversed_at = before.rfind("\x1b[7m")
            return reversed_at >= 0 and reversed_at > max(before.rfind("\x1b[0m"), before.rfind("\x1b[27m"))

        for _ in range(12):
            if any(selected(row) for row in self.styled() if title in row):
                self.keys("Enter")
                return
            self.keys("Down")
        raise Failed(f"could not select {title!r} in the menu:\n{self.screen()}")

    def close(self):
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], env=self.env, capture_output=True, timeout=20)


def git(cwd, *args):
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=30, env={**os.environ, **who})


def workspace(ws):
    for rel, text in SPECS.items():
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # Like tests/e2e/pr.rs: github.com remotes, a fix branch "pushed" to the fork.
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "init")
    git(ws, "remote", "add", "upstream", "https://github.com/acme/kvstore.git")
    git(ws, "remote", "add", "origin", "https://github.com/forker/kvstore.git")
    git(ws, "update-ref", "refs/remotes/upstream/main", "main")
    git(ws, "checkout", "-q", "-b", "fix-1234")
    (ws / "src/storage/store.rs").write_text("// store, locked\n")
    git(ws, "commit", "-q", "-am", "lock the segment")
    git(ws, "update-ref", "refs/remotes/origin/fix-1234", "HEAD")


def config(tmp):
    """The project's languages.toml and queries in a private Helix config dir."""
    helix = tmp / "config" / "helix"
    (helix / "runtime" / "queries").mkdir(parents=True)
    shutil.copy(REPO / "editors/helix/languages.toml", helix / "languages.toml")
    shutil.copytree(REPO / "editors/helix/runtime/queries/chant-spec", helix / "runtime/queries/chant-spec")
    (helix / "config.toml").write_text("")


def run(hx, server, results):
    done = {}
    tmp = Path(tempfile.mkdtemp(prefix="chant-helix-"))
    gh = FakeGitHub()
    editor = None
    try:
        ws = tmp / "ws"
        ws.mkdir()
        workspace(ws)
        config(tmp)
        # chant-lsp on PATH, as languages.toml expects it.
        (tmp / "bin").mkdir()
        (tmp / "bin" / "chant-lsp").symlink_to(Path(server).resolve())
        (tmp / "bin" / "hx").symlink_to(Path(hx).resolve())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_", "GITHUB_", "TMUX", "XDG_"))}
        for d in ("home", "cache", "data", "state"):
            (tmp / d).mkdir()
        env.update({
            "HOME": str(tmp / "home"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_STATE_HOME": str(tmp / "state"),
            "HELIX_RUNTIME": str(Path(hx).resolve().parents[2] / "runtime"),
            "PATH": f"{tmp / 'bin'}:{os.environ.get('PATH', '')}",
            "GITHUB_API_URL": gh.url,
            "GH_TOKEN": "test-token",
            "CHANT_LSP_GITHUB_TIMEOUT_SECS": "5",
            "TERM": "xterm-256color",
        })

        def check(name, body):
            try:
                body()
                done[name] = None
            except Failed as e:
                done[name] = str(e)
            except (OSError, subprocess.SubprocessError) as e:
                done[name] = f"{type(e).__name__}: {e}"
            return done[name] is None

        def health():
            out = subprocess.run(["hx", "--health", "chant-spec"], env=env, cwd=ws, capture_output=True, text=True, timeout=30).stdout
            if "chant-lsp" not in out or str(tmp / "bin" / "chant-lsp") not in out:
                raise Failed(f"hx --health does not find chant-lsp:\n{out}")

        check("health", health)
        editor = Helix(tmp, env, ws, FOLLOW)

        def diagnostics():
            # Helix shows a diagnostic's text on the cursor's line (inline-diagnostics).
            editor.wait_text("1 sel", timeout=30)
            editor.type("/008-imp")
            editor.keys("Enter")
            editor.wait_text("is not an exact spec ID", timeout=30)

        def quick_fix():
            editor.code_action("Use the full ID `2026-02-08-008-imp`")
            editor.wait_text("depends_on: [2026-02-08-008-imp]")
            editor.command("w")
            deadline = time.monotonic() + 10
            while "depends_on: [2026-02-08-008-imp]\n" not in (ws / FOLLOW).read_text():
                if time.monotonic() > deadline:
                    raise Failed(f"the quick fix is not in the saved file:\n{(ws / FOLLOW).read_text()}")
                time.sleep(0.2)
            editor.wait("the diagnostic stays after the fix", lambda s: "is not an exact spec ID" not in s)

        def hover():
            editor.keys("Escape")
            editor.keys("g", "g")
            editor.type("/2026-02-08-008")
            editor.keys("Enter")
            editor.keys("Space")
            editor.keys("k")
            editor.wait_text(IMPACT_TITLE)
            editor.keys("Escape")

        def submit_pr():
            editor.command(f"open {FIX}")
            editor.wait_text("Hand-written notes stay.")
            editor.code_action("Draft upstream PR body")
            editor.wait_text("Drafted the upstream PR")
            editor.command("w")
            editor.code_action("Submit upstream PR")
            editor.wait_text("cannot show a confirmation dialog")
            if gh.posts():
                raise Failed("a POST before the confirmation")
            editor.code_action("Confirm: Create pull request: Open a public pull request on acme/kvstore")
            editor.wait_text("Opened pull request #7", timeout=30)
            time.sleep(1)  # a second POST, if any, would arrive now
            posts = gh.posts()
            if len(posts) != 1:
                raise Failed(f"{len(posts)} POSTs: {posts}")
            sent = json.loads(posts[0]["body"])
            if sent.get("title") != PR_TITLE or sent.get("head") != "forker:fix-1234" or sent.get("base") != "main" or posts[0]["auth"] != "Bearer test-token":
                raise Failed(f"unexpected pull request: {posts[0]}")

        for name, body in [("diagnostics", diagnostics), ("quick-fix", quick_fix), ("hover", hover), ("submit-pr", submit_pr)]:
            if not check(name, body):
                log = tmp / "hx.log"
                tail = log.read_text(errors="replace").splitlines()[-40:] if log.exists() else []
                done[name] += "\nhx.log (last lines):\n" + "\n".join(tail)
    finally:
        if editor:
            editor.close()
        gh.close()
        shutil.rmtree(tmp, ignore_errors=True)
        # One line per check in RESULTS; the details (screen, hx.log) on stdout.
        with open(results, "w") as out:
            for name in CHECKS:
                why = done.get(name, "not reached")
                if why is None:
                    out.write(f"ok {name}\n")
                else:
                    out.write(f"FAIL {name}: {why.splitlines()[0]}\n")
                    print(f"=== {name}\n{why}\n=== end {name}")
    return all(done.get(n, "x") is None for n in CHECKS)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(0 if run(*sys.argv[1:]) else 1)
