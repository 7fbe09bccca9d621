// Photoshop's UI theme on the UXP side, forwarded to the webview (whose page cannot see it).
// `document.theme` (getCurrent / onUpdated) is used when the runtime has it; otherwise the theme is
// read from the host's CSS variable --uxp-host-background-color by lightness; "dark" as a last resort.

import type { Theme } from "../../common/protocol";
import type { ThemeSource } from "../controller";

const THEMES: readonly Theme[] = ["darkest", "dark", "medium", "light", "lightest"];

interface ThemeApi {
  getCurrent?: () => unknown;
  onUpdated?: { addListener(fn: (t: unknown) => void): void; removeListener?(fn: (t: unknown) => void): void };
}

export interface ThemeDocumentLike {
  theme?: ThemeApi;
  documentElement?: unknown;
}

export function themeFromColor(color: string): Theme | null {
  const m = /^\s*#([0-9a-f]{6})\s*$/i.exec(color) ?? null;
  let rgb: number[] | null = null;
  if (m) rgb = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  const f = /rgba?\(\s*(\d+)[ ,]+(\d+)[ ,]+(\d+)/i.exec(color);
  if (!rgb && f) rgb = [Number(f[1]), Number(f[2]), Number(f[3])];
  if (!rgb) return null;
  const l = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  // Photoshop's panel backgrounds: darkest #323232, dark #535353, light #B8B8B8, lightest #F0F0F0.
  return l < 0.26 ? "darkest" : l < 0.52 ? "dark" : l < 0.83 ? "light" : "lightest";
}

export function createUxpThemeSource(doc: ThemeDocumentLike, readCssVar?: (name: string) => string): ThemeSource {
  const fromApi = (v: unknown): Theme | null => (typeof v === "string" && (THEMES as string[]).includes(v) ? (v as Theme) : null);
  return {
    current(): Theme {
      try {
        const t = fromApi(doc.theme?.getCurrent?.());
        if (t) return t;
      } catch {
        // fall through
      }
      const css = readCssVar?.("--uxp-host-background-color") ?? "";
      return themeFromColor(css) ?? "dark";
    },
    subscribe(listener) {
      const updated = doc.theme?.onUpdated;
      if (!updated) return () => undefined;
      const fn = (t: unknown) => listener(fromApi(t) ?? "dark");
      try {
        updated.addListener(fn);
      } catch {
        return () => undefined;
      }
      return () => updated.removeListener?.(fn);
    },
  };
}
