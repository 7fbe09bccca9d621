// Store conformance, upload ownership (UploadRegistry): run on every backend from
// describeStoreConformance (conformance.ts). Times are passed in (`now`), so nothing here waits.

import type { UploadRegistry } from "../../src/broker/store/store";
import { UPLOAD_RETENTION_MS } from "../../src/broker/store/store";
import { T0 } from "./fixtures";

const A1 = "00000000-0000-4000-8000-00000000000a";
const A2 = "00000000-0000-4000-8000-00000000000b";
const B1 = "00000000-0000-4000-8000-00000000000c";
const NEVER = "00000000-0000-4000-8000-00000000000d";

export function describeUploadRegistryConformance(create: () => Promise<UploadRegistry>, reopen: (s: UploadRegistry) => Promise<UploadRegistry>): void {
  test("an upload id belongs to the key that uploaded it, until it expires, across a restart", async () => {
    let s = await create();
    await s.recordUpload(A1, "alice", T0);
    await s.recordUpload(A2, "alice", T0 + 10);
    await s.recordUpload(B1, "bob", T0);
    expect(await s.notUploadedBy("alice", [A1, A2], T0 + 20)).toEqual([]);
    expect(await s.notUploadedBy("alice", [A1, B1, NEVER, A2], T0 + 20)).toEqual([B1, NEVER]);
    expect(await s.notUploadedBy("bob", [A1, B1], T0 + 20)).toEqual([A1]);
    expect(await s.notUploadedBy("bob", [], T0)).toEqual([]);
    s = await reopen(s);
    expect(await s.notUploadedBy("alice", [A1, A2, B1], T0 + 20)).toEqual([B1]);
    // Usable for the retention from its upload, not a moment longer.
    expect(await s.notUploadedBy("alice", [A1, A2], T0 + UPLOAD_RETENTION_MS - 1)).toEqual([]);
    expect(await s.notUploadedBy("alice", [A1, A2], T0 + UPLOAD_RETENTION_MS)).toEqual([A1]);
  });
}
