// The server's confirmations (window/showMessageRequest with choices: open a public pull
// request, archive an investigation) answered by the extension itself as a modal dialog.
// vscode-languageclient's own handler shows them as a toast that hides itself after a few
// seconds while the server keeps waiting, and a click on a hidden toast's button is lost.
// No VS Code import here, so the node tests can drive it with a fake `window`.

/** LSP's MessageType (window/showMessage and window/showMessageRequest). */
export const MessageType = { Error: 1, Warning: 2, Info: 3, Log: 4 } as const;

/** LSP's MessageActionItem: a title and whatever else the server put in it. */
export interface MessageActionItem {
  title: string;
}

export interface ShowMessageRequestParams<I extends MessageActionItem = MessageActionItem> {
  type: number;
  message: string;
  actions?: I[] | null;
}

/** The part of `vscode.window` the dialogs need. */
export interface MessageWindow {
  showErrorMessage(message: string, ...rest: unknown[]): Thenable<string | undefined>;
  showWarningMessage(message: string, ...rest: unknown[]): Thenable<string | undefined>;
  showInformationMessage(message: string, ...rest: unknown[]): Thenable<string | undefined>;
}

/** The choice VS Code's modal dialog already has: the server's own would show twice. */
const CANCEL = "Cancel";

/** How to show one request: which `window` function, and its arguments. */
export interface Dialog {
  show: "showErrorMessage" | "showWarningMessage" | "showInformationMessage";
  message: string;
  /** The modal options, for a confirmation only. */
  options?: { modal: true; detail?: string };
  /** Button titles, in the server's order. */
  titles: string[];
}

/** A warning with choices is a confirmation: modal, its first line as the dialog's message
 * and the rest as its detail, without the server's "Cancel" (the dialog's own Cancel,
 * Escape and the close button answer null). Anything else stays a notification with every
 * choice, as vscode-languageclient shows it. */
export function dialog(params: ShowMessageRequestParams): Dialog {
  const titles = (params.actions ?? []).map((a) => a.title);
  const show = params.type === MessageType.Error ? "showErrorMessage" : params.type === MessageType.Warning ? "showWarningMessage" : "showInformationMessage";
  if (params.type !== MessageType.Warning || titles.length === 0) {
    return { show, message: params.message, titles };
  }
  const [first, ...rest] = params.message.split(/\r?\n/);
  const detail = rest.join("\n").trim();
  return {
    show,
    message: first,
    options: detail ? { modal: true, detail } : { modal: true },
    titles: titles.filter((t) => t !== CANCEL),
  };
}

/** The server's item for the title the person chose, or null when they chose none. */
export function chosen<I extends MessageActionItem>(params: ShowMessageRequestParams<I>, title: string | undefined): I | null {
  if (title === undefined) return null;
  return (params.actions ?? []).find((a) => a.title === title) ?? null;
}

/** Shows the request and answers it: the handler for window/showMessageRequest. */
export async function answer<I extends MessageActionItem>(window: MessageWindow, params: ShowMessageRequestParams<I>): Promise<I | null> {
  const d = dialog(params);
  const show = window[d.show].bind(window);
  const title = d.options ? await show(d.message, d.options, ...d.titles) : await show(d.message, ...d.titles);
  return chosen(params, title);
}
