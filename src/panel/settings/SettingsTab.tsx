// Settings: broker URL, broker key (write-only, or pasted from the host clipboard), connection test
// with the exact diagnosis (and the broker's doctor for admin keys), the host check,
// blend band and tone matching, default variation count. Stored by the host (no localStorage in the webview).

import { useEffect, useState } from "react";
import { ActionButton, Button, Flex, Heading, NumberField, StatusLight, Switch, Text, TextField, View } from "@adobe/react-spectrum";
import type { ConnectionResult, SettingsPatch, SettingsView } from "../../common/protocol/settings-schema";
import { AUTOMATIC_BLEND, blendStatus } from "../model/blend";
import type { PanelLink } from "../model/link";
import { BrokerDoctorSteps } from "./BrokerDoctorSteps";
import { HostCheckSection } from "./HostCheckSection";
import { QuotaSection } from "./QuotaSection";

export interface SettingsTabProps {
  settings: SettingsView | null;
  connection: ConnectionResult | null;
  testing: boolean;
  save: (patch: SettingsPatch) => void;
  test: () => void;
  /** For the host-side commands: Paste (the key from the host clipboard) and the host check. */
  link?: PanelLink;
}

export function SettingsTab({ settings, connection, testing, save, test, link }: SettingsTabProps) {
  const [url, setUrl] = useState(settings?.brokerUrl ?? "");
  const [key, setKey] = useState("");
  const [showDetail, setShowDetail] = useState(false);
  useEffect(() => setUrl(settings?.brokerUrl ?? ""), [settings?.brokerUrl]);
  if (!settings) return <Text>Loading settings from the host…</Text>;
  const prefs = settings.prefs;
  const urlDirty = url.trim() !== settings.brokerUrl;

  const saveConnection = () => {
    const patch: SettingsPatch = {};
    if (urlDirty) patch.brokerUrl = url.trim();
    if (key) patch.brokerKey = key;
    if (Object.keys(patch).length) save(patch);
    setKey("");
  };

  return (
    <Flex direction="column" gap="size-150" data-testid="settings-tab">
      <Heading level={3} margin={0}>
        Broker
      </Heading>
      <TextField
        label="Broker URL"
        value={url}
        onChange={setUrl}
        width="100%"
        type="url"
        inputMode="url"
        description="The Infill broker your team runs, e.g. http://127.0.0.1:8765"
        data-testid="broker-url"
        onKeyDown={(e) => (e.key === "Enter" ? saveConnection() : e.continuePropagation())}
      />
      <TextField
        label="Broker key"
        value={key}
        onChange={setKey}
        width="100%"
        type="password"
        autoComplete="off"
        placeholder={settings.hasKey ? "A key is stored (hidden)" : "Paste your broker key"}
        description={settings.hasKey ? "Stored securely by the host and never shown again. Type a new one to replace it." : "No key stored yet."}
        data-testid="broker-key"
        onKeyDown={(e) => (e.key === "Enter" ? saveConnection() : e.continuePropagation())}
      />
      <Flex direction="row" gap="size-100" wrap>
        <Button variant="accent" onPress={saveConnection} isDisabled={!urlDirty && !key} data-testid="settings-save">
          Save
        </Button>
        <Button variant="secondary" onPress={test} isPending={testing} data-testid="connection-test">
          Test connection
        </Button>
        {link && (
          <ActionButton onPress={() => link.send({ type: "settings.pasteKey" })} data-testid="broker-key-paste">
            Paste key
          </ActionButton>
        )}
        {settings.hasKey && <ActionButton onPress={() => save({ clearKey: true })}>Forget key</ActionButton>}
      </Flex>
      {!urlDirty && !key ? null : <Text UNSAFE_className="infill-detail">Unsaved changes: press Save, then test.</Text>}
      {connection && (
        <View
          padding="size-100"
          borderWidth="thin"
          borderColor="default"
          borderRadius="regular"
          data-testid="connection-result"
          data-diagnosis={connection.diagnosis}
        >
          <StatusLight variant={connection.ok ? (connection.diagnosis === "local_mode" ? "notice" : "positive") : "negative"}>{connection.message}</StatusLight>
          {connection.hint && <Text UNSAFE_className="infill-hint">{connection.hint}</Text>}
          {connection.detail && (
            <>
              <ActionButton isQuiet onPress={() => setShowDetail(!showDetail)} aria-expanded={showDetail}>
                {showDetail ? "Hide technical detail" : "Technical detail"}
              </ActionButton>
              {showDetail && <pre className="infill-pre">{connection.detail}</pre>}
            </>
          )}
          {connection.doctor && <BrokerDoctorSteps doctor={connection.doctor} />}
        </View>
      )}
      <Heading level={3} margin={0}>
        Results
      </Heading>
      <NumberField
        label="Blend band (px)"
        minValue={0}
        maxValue={256}
        step={1}
        value={prefs.blend.bandPx}
        width="size-2000"
        description="Width of the edge where generated pixels fade into the original. Setting it makes every run use it"
        onChange={(v) => Number.isFinite(v) && save({ prefs: { blend: { ...prefs.blend, bandPx: Math.round(v) } } })}
      />
      <Switch isSelected={prefs.blend.toneMatch} onChange={(toneMatch) => save({ prefs: { blend: { ...prefs.blend, toneMatch } } })}>
        Match tones to the surroundings
      </Switch>
      <Flex direction="row" gap="size-100" alignItems="center" wrap>
        <Text data-testid="blend-status">{blendStatus(prefs)}</Text>
        <ActionButton isDisabled={!prefs.blendChosen} onPress={() => save(AUTOMATIC_BLEND)} data-testid="blend-automatic">
          Use automatic blend
        </ActionButton>
      </Flex>
      <NumberField
        label="Default variations"
        minValue={1}
        maxValue={4}
        step={1}
        value={prefs.numVariations}
        width="size-2000"
        description="How many variations a new run starts with"
        onChange={(v) => Number.isFinite(v) && save({ prefs: { numVariations: Math.min(4, Math.max(1, Math.round(v))) } })}
      />
      <QuotaSection />
      {link && <HostCheckSection link={link} />}
    </Flex>
  );
}
