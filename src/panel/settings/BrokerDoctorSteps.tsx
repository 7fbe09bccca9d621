// The broker's doctor in the connection result (admin keys only): one verdict per step, then what
// could not be checked.

import { Flex, StatusLight, Text } from "@adobe/react-spectrum";
import type { BrokerDoctor } from "../../common/protocol/settings-schema";

export function BrokerDoctorSteps({ doctor }: { doctor: BrokerDoctor }) {
  return (
    <Flex direction="column" gap="size-50" data-testid="broker-doctor">
      <Text UNSAFE_className="infill-detail">The broker's own check of its Firefly credentials (admin key; nothing generated):</Text>
      {doctor.steps.map((s, i) => (
        <StatusLight key={`${i}-${s.step}`} variant={s.ok ? "positive" : "negative"} data-step={s.step} data-ok={s.ok}>
          {`${s.step}: ${s.message}`}
        </StatusLight>
      ))}
      {doctor.note && <Text UNSAFE_className="infill-hint">{doctor.note}</Text>}
    </Flex>
  );
}
