"""The server's answers under the capability sets of real clients (pytest-lsp).

Each test runs once per client: VS Code (utf-16 only, languageId chant-spec), Neovim 0.11
(utf-8 offered), Neovim 0.7 (no encodings, so utf-16) and Emacs/Eglot 1.9 (none either).
"""

import os
import pathlib
import sys
from typing import Union

import pytest
import pytest_lsp
from lsprotocol import converters, types
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = os.environ.get("CHANT_LSP_CMD", "chant-lsp")

CLIENTS = {
    "vscode": (
        {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": True},
            # vscode-languageclient 11 (lib/common/codeAction.js).
            "textDocument": {
                "codeAction": {
                    "dynamicRegistration": True,
                    "isPreferredSupport": True,
                    "disabledSupport": True,
                    "dataSupport": True,
                    "resolveSupport": {"properties": ["edit", "command"]},
                    "codeActionLiteralSupport": {
                        "codeActionKind": {
                            "valueSet": ["", "quickfix", "refactor", "refactor.extract", "refactor.inline", "refactor.move", "refactor.rewrite", "source", "source.organizeImports", "notebook"]
                        }
                    },
                    "honorsChangeAnnotations": True,
                }
            },
        },
        "chant-spec",
        "utf-16",
    ),
    "neovim-0.11": ({"general": {"positionEncodings": ["utf-8", "utf-16", "utf-32"]}}, "markdown", "utf-8"),
    "neovim-0.7": ({}, "markdown", "utf-16"),
    "emacs-eglot": ({}, "chant-spec", "utf-16"),
}


@pytest_lsp.fixture(
    params=list(CLIENTS),
    config=ClientServerConfig(server_command=[SERVER]),
)
async def client(request, lsp_client: LanguageClient, tmp_path: pathlib.Path):
    caps, language_id, encoding = CLIENTS[request.param]
    specs = tmp_path / ".chant" / "specs"
    specs.mkdir(parents=True)
    (specs / "2026-03-01-002-bbb.md").write_text("---\nstatus: completed\n---\n# Spec B, the dependency\n")
    spec = specs / "2026-03-01-001-aaa.md"
    # A non-ASCII label before the fault, so the encoding matters for the column.
    text = "---\nlabels: [é😀, x]\nstatus: Completed\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A\n"
    spec.write_text(text)
    capabilities = converters.get_converter().structure(caps, types.ClientCapabilities)
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
        )
    )
    assert result.capabilities.position_encoding == encoding
    lsp_client.spec_uri = spec.as_uri()
    lsp_client.name = request.param
    lsp_client.encoding = encoding
    lsp_client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=spec.as_uri(), language_id=language_id, version=1, text=text))
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_diagnostics_use_the_negotiated_encoding(client: LanguageClient):
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diags = client.diagnostics[client.spec_uri]
    invalid = next(d for d in diags if d.code == "invalid-value")
    assert invalid.range.start.line == 2 and invalid.range.start.character == 8
    labels = [d for d in diags if d.code == "parse-error"]
    assert labels, diags


@pytest.mark.asyncio
async def test_hover_and_quick_fix(client: LanguageClient):
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=client.spec_uri), position=types.Position(line=3, character=16))
    )
    assert "Spec B, the dependency" in hover.contents.value
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=client.spec_uri),
            range=types.Range(start=types.Position(line=2, character=10), end=types.Position(line=2, character=10)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert any(a.title == "Change to `completed`" for a in actions)


@pytest.mark.asyncio
async def test_vscode_quick_fix_request_gets_quick_fixes_only(client: LanguageClient):
    """VS Code's Ctrl+. asks again with only: ["quickfix"] when nothing at the cursor is a
    fix, and so does its problem hover; it drops (and logs) any other kind it gets back."""
    if client.name != "vscode":
        pytest.skip("VS Code's request")
    # lsprotocol reads every code action that has a `command` as a Command, dropping its
    # kind; tell them apart as vscode-languageclient does (a Command's `command` is a string).
    client.protocol._converter.register_structure_hook(
        Union[types.Command, types.CodeAction],
        lambda obj, _: client.protocol._converter.structure(obj, types.Command if isinstance(obj.get("command"), str) else types.CodeAction),
    )

    async def actions(only):
        return await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=client.spec_uri),
                range=types.Range(start=types.Position(line=2, character=10), end=types.Position(line=2, character=10)),
                context=types.CodeActionContext(diagnostics=[], only=only, trigger_kind=types.CodeActionTriggerKind.Invoked),
            )
        )

    fixes = await actions([types.CodeActionKind.QuickFix])
    assert fixes and all(a.kind == types.CodeActionKind.QuickFix for a in fixes), fixes
    assert any(a.title == "Change to `completed`" for a in fixes)
    # Without `only` (Ctrl+., the lightbulb) the spec's archive action comes too, after the
    # fixes, and nothing is `source`, which Ctrl+. leaves out.
    every = await actions(None)
    kinds = [a.kind for a in every]
    assert len(every) > len(fixes), kinds
    assert [a.title for a in every[: len(fixes)]] == [a.title for a in fixes], kinds
    assert not any(k.startswith("source") for k in kinds), kinds
    assert any(a.title.startswith("Archive spec 2026-03-01-001-aaa") for a in every), [a.title for a in every]
