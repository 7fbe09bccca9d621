// Recent upstream call times of the instance that answered, per target.

import type { AdminOverview } from "../../common/admin-overview";
import { millis } from "../format";
import { Section, Table } from "./Section";

export function LatencyTable({ o }: { o: AdminOverview }) {
  return (
    <Section title="Upstream latency (this instance)" testId="admin-latency">
      <Table
        testId="admin-latency-table"
        head={["Target", "Calls", "Median", "95th percentile", "Slowest", "Latest"]}
        numeric={[1, 2, 3, 4, 5]}
        empty="No upstream calls yet."
        rows={o.upstream.map((u) => [u.target, u.count, millis(u.p50Ms), millis(u.p95Ms), millis(u.maxMs), millis(u.lastMs)])}
      />
    </Section>
  );
}
