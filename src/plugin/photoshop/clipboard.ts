// The host clipboard's text (manifest permission clipboard: "read"). UXP documents
// navigator.clipboard.getContent() with MIME-keyed results; readText() is used where it exists.

interface UxpClipboard {
  getContent?: () => Promise<Record<string, unknown>>;
  readText?: () => Promise<string>;
}

export async function readClipboardText(nav: { clipboard?: UxpClipboard } | undefined = globalThis.navigator as never): Promise<string> {
  const c = nav?.clipboard;
  if (c?.getContent) {
    const content = await c.getContent();
    const text = content?.["text/plain"];
    return typeof text === "string" ? text : "";
  }
  if (c?.readText) return c.readText();
  throw new Error("no clipboard in this host");
}
