// The file store against the Store conformance suite (journal in a temp dir).
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { createFileStore } from "../../src/broker/store/file-store";
import type { Store } from "../../src/broker/store/store";
import { describeStoreConformance } from "./conformance";

const dir = mkdtempSync(path.join(tmpdir(), "infill-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = new WeakMap<Store, string>();
let n = 0;

async function openAt(file: string): Promise<Store> {
  const s = createFileStore({ file });
  await s.open();
  files.set(s, file);
  return s;
}

describeStoreConformance("file", {
  create: () => openAt(path.join(dir, `s${n++}`, "journal.jsonl")),
  async reopen(store) {
    await store.close();
    return openAt(files.get(store)!);
  },
});
