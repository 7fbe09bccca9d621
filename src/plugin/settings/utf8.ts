// Text ⇄ bytes for the secure store, which hands values back as bytes (a Uint8Array) whatever was
// stored. We always store UTF-8 bytes we encoded ourselves, and decode strictly, so a key with any
// character survives the round trip; TextEncoder/TextDecoder are used when the runtime has them.

export function encodeUtf8(text: string): Uint8Array {
  if (typeof TextEncoder !== "undefined") return new TextEncoder().encode(text);
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** Strict UTF-8 decode; null when the bytes are not valid UTF-8 (a damaged or foreign value). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  if (typeof TextDecoder !== "undefined") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  }
  let s = "";
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let cp: number, n: number;
    if (b < 0x80) {
      cp = b;
      n = 0;
    } else if (b >= 0xc2 && b < 0xe0) {
      cp = b & 31;
      n = 1;
    } else if (b >= 0xe0 && b < 0xf0) {
      cp = b & 15;
      n = 2;
    } else if (b >= 0xf0 && b < 0xf5) {
      cp = b & 7;
      n = 3;
    } else return null;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (c & 63);
    }
    if ((n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff))) return null;
    s += String.fromCodePoint(cp);
    i += n + 1;
  }
  return s;
}

/** Whatever the secure store returned (Uint8Array per the docs; tolerate ArrayBuffer, string, null). */
export function secretFromStored(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value.length ? value : null;
  let bytes: Uint8Array | null = null;
  if (value instanceof Uint8Array) bytes = value;
  else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (!bytes || bytes.length === 0) return null;
  const text = decodeUtf8(bytes);
  return text && text.length ? text : null;
}
