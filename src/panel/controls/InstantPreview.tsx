// The "Instant preview" switch of Fill and Expand: on by default; shown only when the broker runs
// Firefly (in local mode the result itself is local, so there is no preview).

import { Flex, Switch, Text } from "@adobe/react-spectrum";

export function InstantPreviewSwitch({ on, onChange, testId }: { on: boolean; onChange: (on: boolean) => void; testId: string }) {
  return (
    <Flex direction="column">
      <Switch isSelected={on} onChange={onChange} data-testid={testId}>
        Instant preview
      </Switch>
      <Text UNSAFE_className="infill-context">While Firefly works, a preview layer from the broker&apos;s local engine (it does not read the prompt).</Text>
    </Flex>
  );
}
