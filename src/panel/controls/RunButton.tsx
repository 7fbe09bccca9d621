// The run button of a mode, with the reason it is disabled written right under it (never a silent grey button).

import { useId } from "react";
import { Button, Flex, Text } from "@adobe/react-spectrum";
import { useQuota } from "../model/QuotaContext";
import { runWaitText } from "../model/wait";

export interface RunButtonProps {
  label: string;
  /** Null when the mode can run; otherwise the sentence saying what to do. */
  blocked: string | null;
  /** Shown under the button when it can run (e.g. "Document is 16-bit: it will be converted"). */
  note?: string | null;
  onPress: () => void;
  testId?: string;
  /** Firefly requests this run spends (1 unless a Native-detail fill adds upscales). */
  requests?: number;
}

export function RunButton({ label, blocked, note, onPress, testId, requests = 1 }: RunButtonProps) {
  const id = useId();
  const quota = useQuota();
  const wait = blocked === null ? runWaitText(quota, quota?.receivedAt ?? 0, requests) : null;
  const text = [blocked, note, wait].filter(Boolean).join(" ") || null;
  return (
    <Flex direction="column" gap="size-75" marginTop="size-150">
      <Button variant="accent" isDisabled={blocked !== null} onPress={onPress} aria-describedby={text ? id : undefined} data-testid={testId}>
        {label}
      </Button>
      <div id={id} aria-live="polite">
        {blocked && (
          <Text UNSAFE_className="infill-reason infill-reason--blocked" data-testid={testId ? `${testId}-reason` : undefined}>
            {blocked}
          </Text>
        )}
        {note && (
          <Text UNSAFE_className="infill-reason" data-testid={testId ? `${testId}-note` : undefined}>
            {note}
          </Text>
        )}
        {wait && (
          <Text UNSAFE_className="infill-reason" data-testid={testId ? `${testId}-wait` : undefined}>
            {wait}
          </Text>
        )}
      </div>
    </Flex>
  );
}
