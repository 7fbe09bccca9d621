// Settings: the organisation's Firefly usage today against the daily limit, when the broker shares it.
// As of the host's last read.

import { Flex, Heading, Text } from "@adobe/react-spectrum";
import { useQuota } from "../model/QuotaContext";
import { usageLines } from "../model/wait";

export function QuotaSection() {
  const quota = useQuota();
  if (!quota) return null;
  return (
    <Flex direction="column" gap="size-50" data-testid="quota-section">
      <Heading level={4} margin={0}>
        Organisation usage
      </Heading>
      {usageLines(quota, quota.receivedAt).map((line) => (
        <Text key={line} UNSAFE_className="infill-detail">
          {line}
        </Text>
      ))}
    </Flex>
  );
}
