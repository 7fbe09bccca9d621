// Generate's More like this: new images like the selection or the whole document as they are now,
// placed like Generate's results.

import { useState } from "react";
import { Flex, Heading, Item, Picker, Text } from "@adobe/react-spectrum";
import { RunButton } from "../controls/RunButton";
import { VariationCount } from "../controls/VariationCount";
import { useVariations } from "../controls/VariationsAndSeed";
import { defaultSimilarSource, similarBlocked, similarParams, type SimilarSource } from "../model/similar";
import type { ModeProps } from "./FillTab";

export function MoreLikeThis({ state, run, defaultVariations }: Omit<ModeProps, "blend">) {
  const [own, setSource] = useState<SimilarSource | null>(null);
  const source = own ?? defaultSimilarSource(state);
  const [variations, setVariations] = useVariations(defaultVariations);
  const blocked = similarBlocked(state, source);
  return (
    <Flex direction="column" gap="size-100" data-testid="more-like-this">
      <Heading level={4} margin={0}>
        More like this
      </Heading>
      <Text UNSAFE_className="infill-detail">New images like what is there now, without a prompt.</Text>
      <Flex direction="row" gap="size-150" alignItems="start" wrap>
        <Picker label="Like" selectedKey={source} onSelectionChange={(k) => setSource(k as SimilarSource)} width="size-2000" data-testid="similar-source">
          <Item key="selection">The selection</Item>
          <Item key="document">The whole document</Item>
        </Picker>
        <VariationCount label="How many" value={variations} onChange={setVariations} testId="similar-variations" />
      </Flex>
      <RunButton label="More like this" blocked={blocked} onPress={() => !blocked && run(similarParams(source, variations))} testId="run-similar" />
    </Flex>
  );
}
