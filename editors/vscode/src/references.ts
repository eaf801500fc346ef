// The server's reference lenses ("1 dependent", "2 blockers", "Issue #N: ...") call a client
// command with LSP JSON (uri, position, locations): VS Code's editor.action.showReferences
// rejects those and wants its own Uri/Position/Location objects. The extension names
// SHOW_REFERENCES in initializationOptions.showReferencesCommand and converts here, without
// VS Code, so the node tests can check it against the server's real lens JSON.

/** The client command the server puts in its lenses (server/src/lsp/server.rs). */
export const SHOW_REFERENCES = "chant.showReferences";

/** VS Code's own command that opens the references peek. */
export const VSCODE_SHOW_REFERENCES = "editor.action.showReferences";

/** What vscode-languageclient's `protocol2CodeConverter` offers that the conversion needs. */
export interface Converter<U, P, L> {
  asUri(uri: string): U;
  asPosition(position: { line: number; character: number }): P;
  asLocation(location: Location): L;
}

interface Position {
  line: number;
  character: number;
}

interface Location {
  uri: string;
  range: { start: Position; end: Position };
}

function isPosition(v: unknown): v is Position {
  const p = v as Position;
  return typeof p === "object" && p !== null && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0;
}

function isLocation(v: unknown): v is Location {
  const l = v as Location;
  return typeof l === "object" && l !== null && typeof l.uri === "string" && typeof l.range === "object" && l.range !== null && isPosition(l.range.start) && isPosition(l.range.end);
}

/** The arguments for editor.action.showReferences from the lens's (uri, position, locations),
 * or why they cannot be used (a message for the log, never a crash on odd JSON). */
export function showReferencesArgs<U, P, L>(
  args: unknown[],
  c: Converter<U, P, L>,
): { ok: true; args: [U, P, L[]] } | { ok: false; why: string } {
  const [uri, position, locations] = args;
  if (typeof uri !== "string") return { ok: false, why: "the first argument is not a URI string" };
  if (!isPosition(position)) return { ok: false, why: "the second argument is not an LSP position" };
  if (!Array.isArray(locations) || !locations.every(isLocation)) {
    return { ok: false, why: "the third argument is not a list of LSP locations" };
  }
  return { ok: true, args: [c.asUri(uri), c.asPosition(position), locations.map((l) => c.asLocation(l))] };
}
