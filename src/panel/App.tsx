// The Infill panel: Fill / Expand / Generate / Harmonize / Settings tabs, the engine's honesty banner, and the jobs list.
// Talks to the host only through the protocol link; runs the same in the UXP webview and the playground iframe.

import React, { useState } from "react";
import { ActionButton, Flex, Item, Provider, StatusLight, TabList, Tabs, Text, View, defaultTheme } from "@adobe/react-spectrum";
import type { PanelLink } from "./model/link";
import { usePanel } from "./model/usePanel";
import { engineInfo } from "./model/state";
import { chosenBlend } from "./model/blend";
import { FillTab } from "./modes/FillTab";
import { ExpandTab } from "./modes/ExpandTab";
import { GenerateTab } from "./modes/GenerateTab";
import { HarmonizeTab } from "./modes/HarmonizeTab";
import { SettingsTab } from "./settings/SettingsTab";
import { JobsList } from "./jobs/JobsList";
import { QuotaContext } from "./model/QuotaContext";

type TabKey = "fill" | "expand" | "generate" | "harmonize" | "settings";

export function App({ link }: { link: PanelLink }) {
  const { state, actions } = usePanel(link);
  const [tab, setTab] = useState<TabKey>("fill");
  const engine = engineInfo(state);
  const prefs = state.settings?.prefs;
  const defaultVariations = prefs?.numVariations ?? 1;
  const blend = chosenBlend(prefs);
  const modeProps = { state, run: actions.run, defaultVariations, blend };
  const panel = (key: TabKey, node: React.ReactNode) => (
    <div role="tabpanel" id={`panel-${key}`} aria-label={key} hidden={tab !== key} className="infill-tabpanel">
      {node}
    </div>
  );

  return (
    <Provider theme={defaultTheme} colorScheme={state.scheme} scale="medium" height="100%" UNSAFE_className={`infill-root infill-${state.scheme}`}>
      <QuotaContext.Provider value={state.quota}>
        <View padding="size-150" overflow="auto" height="100%">
          <Flex direction="column" gap="size-150">
            <Flex direction="row" justifyContent="space-between" alignItems="center" wrap>
              <EngineStatus engine={engine.mode} testing={state.testing} ok={state.connection?.ok ?? null} message={state.connection?.message} />
            </Flex>
            {engine.mode === "local" && (
              <View UNSAFE_className="infill-banner" padding="size-100" borderRadius="regular" data-testid="engine-banner">
                <Text>
                  Local engine: prompts are ignored (fill and expand continue the surroundings); Generate and Harmonize are unavailable. Add Firefly credentials
                  to the broker for prompts.
                </Text>
              </View>
            )}
            {state.error && (
              <View UNSAFE_className="infill-error" padding="size-100" borderRadius="regular" data-testid="panel-error" data-code={state.error.code}>
                <Text>
                  {state.error.message} {state.error.hint}
                </Text>
                <ActionButton isQuiet onPress={actions.dismissError} aria-label="Dismiss message">
                  Dismiss
                </ActionButton>
              </View>
            )}
            <Tabs aria-label="Infill modes" selectedKey={tab} onSelectionChange={(k) => setTab(k as TabKey)} density="compact">
              <TabList>
                <Item key="fill">Fill</Item>
                <Item key="expand">Expand</Item>
                <Item key="generate">Generate</Item>
                <Item key="harmonize">Harmonize</Item>
                <Item key="settings">Settings</Item>
              </TabList>
            </Tabs>
            {panel("fill", <FillTab {...modeProps} />)}
            {panel("expand", <ExpandTab {...modeProps} />)}
            {panel(
              "generate",
              <GenerateTab
                {...modeProps}
                active={tab === "generate"}
                requestLayers={actions.listLayers}
                customModels={state.customModels}
                listModels={actions.listModels}
                thumbnails={state.thumbnails}
                requestThumbnail={actions.requestThumbnail}
              />,
            )}
            {panel("harmonize", <HarmonizeTab {...modeProps} active={tab === "harmonize"} requestLayers={actions.listLayers} />)}
            {panel(
              "settings",
              <SettingsTab
                settings={state.settings}
                connection={state.connection}
                testing={state.testing}
                save={actions.saveSettings}
                test={actions.testConnection}
                link={link}
              />,
            )}
            <JobsList jobs={state.jobs} actions={actions} />
          </Flex>
        </View>
      </QuotaContext.Provider>
    </Provider>
  );
}

function EngineStatus({ engine, testing, ok, message }: { engine: "firefly" | "local" | "unknown"; testing: boolean; ok: boolean | null; message?: string }) {
  if (testing)
    return (
      <StatusLight variant="info" data-testid="engine-status">
        Checking the broker…
      </StatusLight>
    );
  if (ok === false)
    return (
      <StatusLight variant="negative" data-testid="engine-status">
        {message ?? "Broker not reachable"}
      </StatusLight>
    );
  if (engine === "firefly")
    return (
      <StatusLight variant="positive" data-testid="engine-status">
        Firefly
      </StatusLight>
    );
  if (engine === "local")
    return (
      <StatusLight variant="notice" data-testid="engine-status">
        Local engine
      </StatusLight>
    );
  return (
    <StatusLight variant="neutral" data-testid="engine-status">
      Broker not tested
    </StatusLight>
  );
}
