// The pace, any upstream 429 pause, and the submits in the rolling day and the current window against the limits.

import { Flex, Meter, StatusLight, Text } from "@adobe/react-spectrum";
import type { AdminOverview } from "../../common/admin-overview";
import { clock, duration, usedOf } from "../format";
import { Section } from "./Section";

function UsageMeter({ label, used, limit, testId }: { label: string; used: number; limit: number | null; testId: string }) {
  if (limit === null)
    return (
      <Text data-testid={testId}>
        {label}: {usedOf(used, limit)}
      </Text>
    );
  const share = limit > 0 ? Math.min(100, (used / limit) * 100) : 100;
  return (
    <Meter
      label={label}
      value={share}
      valueLabel={usedOf(used, limit)}
      variant={share >= 90 ? "critical" : share >= 75 ? "warning" : "informative"}
      width="size-3600"
      data-testid={testId}
    />
  );
}

export function PaceAndUsage({ o }: { o: AdminOverview }) {
  const paused = o.pausedUntil !== null;
  return (
    <Section title="Pace and limits" testId="admin-pace">
      <Flex direction="column" gap="size-100">
        <Text data-testid="admin-pace-line">
          {o.pace.perMinute === null ? "Unpaced: submits go out as they come." : `${o.pace.perMinute} submits a minute, one every ${duration(o.pace.slotMs)}.`}
        </Text>
        <StatusLight variant={paused ? "notice" : "positive"} data-testid="admin-pause">
          {paused ? `Paused by an upstream 429 until ${clock(o.pausedUntil!)} (${duration(o.pausedUntil! - o.now)} left)` : "Not paused"}
        </StatusLight>
        <Flex direction="row" gap="size-300" wrap>
          <UsageMeter label={`This minute (${duration(o.minute.windowMs)} window)`} used={o.minute.used} limit={o.minute.limit} testId="admin-minute" />
          <UsageMeter label="Last 24 hours" used={o.day.used} limit={o.day.limit} testId="admin-day" />
        </Flex>
      </Flex>
    </Section>
  );
}
