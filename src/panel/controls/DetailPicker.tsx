// The "Detail" choice of Fill and Expand: Standard (one request) or Native detail (the result
// brought to the document's resolution by Firefly's upscale, with more requests).

import { Item, Picker } from "@adobe/react-spectrum";
import type { DetailSetting } from "../../common/jobs";

export function DetailPicker({
  detail,
  onChange,
  what,
  testId,
}: {
  detail: DetailSetting;
  onChange: (d: DetailSetting) => void;
  what: string;
  testId: string;
}) {
  return (
    <Picker
      label="Detail"
      selectedKey={detail}
      onSelectionChange={(k) => onChange(k === "native" ? "native" : "standard")}
      description={`Native detail upscales ${what} to the document's resolution (more requests)`}
      data-testid={testId}
    >
      <Item key="standard">Standard</Item>
      <Item key="native">Native detail</Item>
    </Picker>
  );
}
