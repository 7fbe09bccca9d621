// Recent prompts (kept by the host in the preferences): pick one to put it back in the prompt box.

import { ActionButton, Item, Menu, MenuTrigger } from "@adobe/react-spectrum";
import type { HistoryEntry } from "../../common/protocol/settings-schema";

export function recentPrompts(history: HistoryEntry[] | undefined, max = 10): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const h of history ?? []) {
    const p = h.prompt?.trim();
    if (!p || seen.has(p)) continue;
    seen.add(p);
    out.push(p);
    if (out.length >= max) break;
  }
  return out;
}

export function RecentPrompts({ prompts, onPick }: { prompts: string[]; onPick: (p: string) => void }) {
  if (!prompts.length) return null;
  return (
    <MenuTrigger>
      <ActionButton isQuiet aria-label="Recent prompts" data-testid="recent-prompts">
        Recent prompts…
      </ActionButton>
      <Menu aria-label="Recent prompts" onAction={(k) => onPick(prompts[Number(k)])} items={prompts.map((p, i) => ({ id: String(i), p }))}>
        {(item) => (
          <Item key={item.id} textValue={item.p}>
            {item.p.length > 80 ? `${item.p.slice(0, 80)}…` : item.p}
          </Item>
        )}
      </Menu>
    </MenuTrigger>
  );
}
