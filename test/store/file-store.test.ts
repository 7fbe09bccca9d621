// The file store against the Store conformance suite (journal in a temp dir).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
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

describe("file store journal replay", () => {
  const job = (id: string, seq: number) => ({
    t: "job",
    j: { id, owner: "ann", endpoint: "fill", request: {}, state: "queued", seq, createdAt: 1, updatedAt: 1, submitAttempts: 0 },
  });

  test("a torn last line is dropped quietly; an unreadable line before it is logged with its number and counted", async () => {
    const file = path.join(dir, "replay", "journal.jsonl");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, [JSON.stringify(job("a", 1)), '{"t":"job","j":{"id":"b"', JSON.stringify(job("c", 3)), '{"t":"jo'].join("\n"));
    const logged: Record<string, unknown>[] = [];
    const s = createFileStore({ file, log: (e) => logged.push(e) });
    await s.open();
    expect(s.corruptLines).toBe(1);
    expect(logged).toEqual([
      { event: "journal_corrupt_line", file, line: 2 },
      { event: "journal_torn_tail", file },
    ]);
    expect((await s.getJob("a"))?.state).toBe("queued");
    expect(await s.getJob("b")).toBeUndefined();
    expect((await s.getJob("c"))?.state).toBe("queued");
    await s.close();
    // Opening compacted the journal: it now reads clean.
    const again = createFileStore({ file, log: (e) => logged.push(e) });
    await again.open();
    expect(again.corruptLines).toBe(0);
    expect(logged).toHaveLength(2);
    await again.close();
  });
});
