// The store and every broker instance on it, with its last heartbeat.

import { StatusLight, Text } from "@adobe/react-spectrum";
import type { AdminOverview, OverviewInstance } from "../../common/admin-overview";
import { ago } from "../format";
import { Section, Table } from "./Section";

function health(i: OverviewInstance) {
  const [variant, label] = i.silent ? (["negative", "silent"] as const) : i.status === "ok" ? (["positive", "ok"] as const) : (["notice", "degraded"] as const);
  return <StatusLight variant={variant}>{label}</StatusLight>;
}

export function InstancesTable({ o }: { o: AdminOverview }) {
  const s = o.store;
  const storeLine =
    s.kind === "redis" ? `Redis ${s.url ?? ""} — ${s.connected ? "connected" : `not connected (${s.status ?? "unknown"})`}` : "File store (one broker process)";
  return (
    <Section title="Store and instances" testId="admin-instances">
      <Text data-testid="admin-store">{storeLine}</Text>
      <Table
        testId="admin-instances-table"
        head={["Instance", "Health", "Last beat", "Version", "Mode", "Up since"]}
        empty="No instance has beaten yet."
        rows={o.instances.map((i) => [`${i.id}${i.self ? " (this one)" : ""}`, health(i), ago(i.beatAt, o.now), i.version, i.mode, ago(i.startedAt, o.now)])}
      />
    </Section>
  );
}
