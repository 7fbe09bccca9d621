// The detail bench's matrix: documents from 2000² to 8000×6000, and the expansions run on each (one
// side grown by half or doubled, both sides by a quarter, every side doubled). Shared with the tests
// that hold the planner to it.

import type { Size } from "../../src/common/host";

export const DOCS: Size[] = [
  { width: 2000, height: 2000 },
  { width: 4000, height: 3000 },
  { width: 6000, height: 4000 },
  { width: 8000, height: 6000 },
];

export interface ExpansionCase {
  label: string;
  sides: (doc: Size) => { left: number; top: number; right: number; bottom: number };
}

export const EXPANSIONS: ExpansionCase[] = [
  { label: "+50% right", sides: (d) => ({ left: 0, top: 0, right: Math.round(d.width / 2), bottom: 0 }) },
  { label: "+100% right", sides: (d) => ({ left: 0, top: 0, right: d.width, bottom: 0 }) },
  { label: "+25% both", sides: (d) => ({ left: Math.round(d.width / 4), top: 0, right: Math.round(d.width / 4), bottom: 0 }) },
  {
    label: "+100% round",
    sides: (d) => ({ left: Math.round(d.width / 2), top: Math.round(d.height / 2), right: Math.round(d.width / 2), bottom: Math.round(d.height / 2) }),
  },
];
