// Settings › Check this Photoshop: runs the host check, shows a verdict per probe and the JSON report
// to copy (also saved by the host in the plugin data folder).

import { useEffect, useRef, useState } from "react";
import { Button, Flex, Heading, StatusLight, Text, TextArea, View } from "@adobe/react-spectrum";
import type { HostCheckReport } from "../../common/protocol/hostcheck-schema";
import type { PanelLink } from "../model/link";

type Status =
  { kind: "idle" } | { kind: "running"; id: string } | { kind: "done"; report: HostCheckReport; savedAs?: string } | { kind: "error"; message: string };

const LIGHT = { pass: "positive", fail: "negative", info: "info" } as const;

export function HostCheckSection({ link }: { link: PanelLink }) {
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const running = useRef<string | null>(null);
  useEffect(
    () =>
      link.subscribe((e) => {
        if (!running.current || e.replyTo !== running.current) return;
        if (e.type === "hostcheck.report") setStatus({ kind: "done", report: e.report, savedAs: e.savedAs });
        else if (e.type === "error") setStatus({ kind: "error", message: e.message });
        else return;
        running.current = null;
      }),
    [link],
  );
  const run = () => {
    const id = link.send({ type: "hostcheck.run" });
    running.current = id;
    setStatus({ kind: "running", id });
  };
  return (
    <Flex direction="column" gap="size-100" data-testid="host-check">
      <Heading level={3} margin={0}>
        This Photoshop
      </Heading>
      <Text UNSAFE_className="infill-detail">Checks what Infill relies on, on scratch documents it creates and closes. Your documents are not touched.</Text>
      <Button variant="secondary" onPress={run} isPending={status.kind === "running"} data-testid="host-check-run">
        Check this Photoshop
      </Button>
      {status.kind === "error" && <StatusLight variant="negative">{status.message}</StatusLight>}
      {status.kind === "done" && (
        <View padding="size-100" borderWidth="thin" borderColor="default" borderRadius="regular" data-testid="host-check-report">
          <Text>
            {status.report.failed === 0
              ? "Everything Infill needs works here."
              : `${status.report.failed} check(s) failed: send the report below with your issue.`}
            {status.savedAs ? ` Saved in the plugin data folder as ${status.savedAs}.` : ""}
          </Text>
          {status.report.probes.map((p) => (
            <StatusLight key={p.id} variant={LIGHT[p.verdict]} data-verdict={p.verdict}>
              {p.id}: {p.observed}
              {p.branch ? ` (${p.branch})` : ""}
            </StatusLight>
          ))}
          <TextArea label="Report (select all and copy)" isReadOnly width="100%" value={JSON.stringify(status.report, null, 2)} data-testid="host-check-json" />
        </View>
      )}
    </Flex>
  );
}
