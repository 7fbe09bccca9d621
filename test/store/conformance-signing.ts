// Store conformance, the shared output-signing key (SigningKeyStore): run on every backend from describeStoreConformance (conformance.ts). Times are
// passed in (`now`), so nothing here waits.

import type { SigningKeyStore } from "../../src/broker/store/store";

export function describeSigningKeyConformance(create: () => Promise<SigningKeyStore>, reopen: (s: SigningKeyStore) => Promise<SigningKeyStore>): void {
  test("the shared output-signing key: the first candidate is stored and kept across a restart", async () => {
    const s = await create();
    const first = Buffer.alloc(32, 7);
    expect((await s.sharedSigningKey(first)).equals(first)).toBe(true);
    expect((await s.sharedSigningKey(Buffer.alloc(32, 9))).equals(first)).toBe(true);
    const r = await reopen(s);
    expect((await r.sharedSigningKey(Buffer.alloc(32, 9))).equals(first)).toBe(true);
  });
}
