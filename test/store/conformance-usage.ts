// Store conformance, the usage ledger (UsageLedger): run on every backend from describeStoreConformance (conformance.ts). Times are
// passed in (`now`), so nothing here waits.

import type { UsageLedger } from "../../src/broker/store/store";

export function describeUsageLedgerConformance(create: () => Promise<UsageLedger>): void {
  test("usage sums per owner and day, sorted, filtered by day", async () => {
    const s = await create();
    await s.recordUsage("bob", "2026-11-27", { jobs: 1, images: 4 });
    await s.recordUsage("alice", "2026-11-28", { jobs: 1, images: 2 });
    await s.recordUsage("bob", "2026-11-27", { jobs: 1, images: 1, failures: 1 });
    await s.recordUsage("alice", "2026-11-28", { uploads: 3 });
    await s.recordUsage("alice", "2026-11-27", {});
    await Promise.all(Array.from({ length: 20 }, () => s.recordUsage("carol", "2026-11-28", { jobs: 1 })));
    expect(await s.usage()).toEqual([
      { day: "2026-11-27", owner: "alice", jobs: 0, images: 0, failures: 0, uploads: 0 },
      { day: "2026-11-27", owner: "bob", jobs: 2, images: 5, failures: 1, uploads: 0 },
      { day: "2026-11-28", owner: "alice", jobs: 1, images: 2, failures: 0, uploads: 3 },
      { day: "2026-11-28", owner: "carol", jobs: 20, images: 0, failures: 0, uploads: 0 },
    ]);
    expect((await s.usage("2026-11-28")).map((r) => r.owner)).toEqual(["alice", "carol"]);
  });
}
