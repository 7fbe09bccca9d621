// The playground's stand-in for Photoshop's interface brightness (the panel follows it).

import type { Theme } from "../../common/protocol";

export function createThemeSource(initial: Theme = "dark") {
  let theme = initial;
  const listeners = new Set<(t: Theme) => void>();
  return {
    current: () => theme,
    set(t: Theme) {
      theme = t;
      for (const l of [...listeners]) l(t);
    },
    subscribe(l: (t: Theme) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
