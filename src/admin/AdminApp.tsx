// The broker's admin page: asks for an admin key, then shows the overview, read again every 2 s.

import { useState } from "react";
import { ActionButton, Flex, Heading, Provider, Text, View, defaultTheme } from "@adobe/react-spectrum";
import type { KeyStore } from "./key-store";
import { usePolledOverview } from "./usePolledOverview";
import { KeyForm } from "./sections/KeyForm";
import { PaceAndUsage } from "./sections/PaceAndUsage";
import { QueueTable } from "./sections/QueueTable";
import { FailuresTable } from "./sections/FailuresTable";
import { LatencyTable } from "./sections/LatencyTable";
import { InstancesTable } from "./sections/InstancesTable";
import { clock } from "./format";

export function AdminApp({ keys }: { keys: KeyStore }) {
  const [key, setKey] = useState<string | null>(keys.get());
  const [attempt, setAttempt] = useState(0);
  const { overview, problem } = usePolledOverview(key, attempt);
  const refused = problem?.kind === "refused";
  const signOut = () => {
    keys.clear();
    setKey(null);
  };
  const useKey = (k: string) => {
    keys.set(k);
    setKey(k);
    setAttempt((n) => n + 1);
  };

  return (
    <Provider theme={defaultTheme} colorScheme="dark" scale="medium" UNSAFE_className="admin-root">
      <View padding="size-250">
        <Flex direction="column" gap="size-200">
          <Flex direction="row" justifyContent="space-between" alignItems="center" wrap>
            <Heading level={1} margin={0}>
              Infill broker
            </Heading>
            {overview && (
              <Text UNSAFE_className="admin-detail" data-testid="admin-updated">
                {overview.mode === "firefly" ? "Firefly" : "Local engine"} · version {overview.version} · updated {clock(overview.now)}
              </Text>
            )}
            {key && !refused && (
              <ActionButton onPress={signOut} data-testid="admin-sign-out">
                Forget the key
              </ActionButton>
            )}
          </Flex>
          {(!key || refused) && <KeyForm onKey={useKey} problem={refused ? problem.message : null} />}
          {key && problem?.kind === "failed" && (
            <View UNSAFE_className="admin-error" padding="size-100" borderRadius="regular" data-testid="admin-problem">
              <Text>{problem.message} Trying again every few seconds.</Text>
            </View>
          )}
          {key && !refused && overview && (
            <>
              <PaceAndUsage o={overview} />
              <QueueTable o={overview} />
              <FailuresTable o={overview} />
              <LatencyTable o={overview} />
              <InstancesTable o={overview} />
            </>
          )}
        </Flex>
      </View>
    </Provider>
  );
}
