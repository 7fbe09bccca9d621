// The queue per person (waiting, running) with today's totals.

import { Text } from "@adobe/react-spectrum";
import type { AdminOverview } from "../../common/admin-overview";
import { Section, Table } from "./Section";

export function QueueTable({ o }: { o: AdminOverview }) {
  return (
    <Section title="Queue and usage per person" testId="admin-queue">
      <Text UNSAFE_className="admin-detail" data-testid="admin-queue-total">
        {o.queue.depth} waiting, {o.queue.submitting} being sent now.
      </Text>
      <Table
        testId="admin-people"
        head={["Person", "Waiting", "Running", "Jobs today", "Images today", "Failures today", "Uploads today"]}
        numeric={[1, 2, 3, 4, 5, 6]}
        empty="Nobody has jobs waiting or running, and nothing was used today."
        rows={o.people.map((p) => [p.name, p.waiting, p.running, p.today.jobs, p.today.images, p.today.failures, p.today.uploads])}
      />
    </Section>
  );
}
