// The last failures, newest first: who, which endpoint, the code and its category (never a prompt or message).

import type { AdminOverview } from "../../common/admin-overview";
import { ago, clock } from "../format";
import { Section, Table } from "./Section";

export function FailuresTable({ o }: { o: AdminOverview }) {
  return (
    <Section title="Last failures" testId="admin-failures">
      <Table
        testId="admin-failures-table"
        head={["When", "Person", "Endpoint", "Category", "Code", "Status"]}
        empty="No failures among the recent jobs."
        rows={o.failures.map((f) => [`${clock(f.at)} (${ago(f.at, o.now)})`, f.person, f.endpoint, f.category, f.code ?? "—", f.status ?? "—"])}
      />
    </Section>
  );
}
