// Static files for the playground (`GET /` → dist/playground) and the panel UI (`GET /ui/*` →
// dist/plugin/ui). No auth; only files inside the folder (no `..`, no encoded separators, no
// dotfiles, no symlinks out); content types from a fixed table.

import * as fs from "fs";
import * as path from "path";
import type { ServerResponse } from "http";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

export type StaticResult = { kind: "file"; file: string; size: number; type: string } | { kind: "missing" } | { kind: "forbidden" };

/** Resolve `rel` (the raw, still-encoded path below the mount) inside `root`. */
export function resolveStatic(root: string, rel: string): StaticResult {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return { kind: "forbidden" };
  }
  if (decoded.includes("\0") || decoded.includes("\\") || /%2f|%5c/i.test(rel)) return { kind: "forbidden" };
  const parts = decoded.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === ".." || p === "." || p.startsWith("."))) return { kind: "forbidden" };
  let file = path.join(root, ...parts);
  let real: string;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
    let st = fs.statSync(file);
    if (st.isDirectory()) {
      file = path.join(file, "index.html");
      st = fs.statSync(file);
    }
    real = fs.realpathSync(file);
    if (!st.isFile()) return { kind: "missing" };
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return { kind: "forbidden" };
    const type = TYPES[path.extname(real).toLowerCase()] ?? "application/octet-stream";
    return { kind: "file", file: real, size: st.size, type };
  } catch {
    return { kind: "missing" };
  }
}

export function sendFile(res: ServerResponse, r: { file: string; size: number; type: string }, head: boolean): void {
  res.writeHead(200, {
    "content-type": r.type,
    "content-length": String(r.size),
    "x-content-type-options": "nosniff",
    "cache-control": r.type.startsWith("text/html") ? "no-cache" : "public, max-age=300",
  });
  if (head) {
    res.end();
    return;
  }
  const s = fs.createReadStream(r.file);
  s.on("error", () => res.destroy());
  s.pipe(res);
}
