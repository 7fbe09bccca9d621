// Checks made once at start, reported as warnings (the broker still starts): a config folder any
// user may write to (another user could replace the keys or the settings), and a keys file any
// user may read while it holds keys in plain text (store their sha256 instead, or chmod 600).

import * as fs from "fs";
import * as path from "path";
import type { BrokerConfig } from "./config";

const WORLD_WRITABLE = 0o002;
const WORLD_READABLE = 0o004;

/** Whether a keys file's text holds any key in plain text (`"key": …` rather than `"sha256"`). */
function holdsPlainKeys(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    return Array.isArray(parsed.keys) && parsed.keys.some((k) => !!k && typeof k === "object" && typeof (k as { key?: unknown }).key === "string");
  } catch {
    return false;
  }
}

function modeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mode;
  } catch {
    return undefined;
  }
}

/** The warnings for this configuration (none on Windows, where these modes do not apply). */
export function startupWarnings(
  config: Pick<BrokerConfig, "configDir" | "localKey">,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string[] {
  if (platform === "win32") return [];
  const warnings: string[] = [];
  const dirMode = modeOf(config.configDir);
  if (dirMode !== undefined && dirMode & WORLD_WRITABLE) {
    warnings.push(`the config folder ${config.configDir} can be written by any user of this machine (chmod o-w it)`);
  }
  const keyFiles: string[] = [];
  const keysFile = env.INFILL_KEYS_FILE?.trim();
  if (keysFile) keyFiles.push(path.resolve(keysFile));
  if (config.localKey) keyFiles.push(config.localKey.file);
  for (const file of keyFiles) {
    const mode = modeOf(file);
    if (mode === undefined || !(mode & WORLD_READABLE)) continue;
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const plain = file === config.localKey?.file || holdsPlainKeys(text);
    if (plain) warnings.push(`${file} holds broker keys in plain text and any user of this machine can read it (chmod 600 it, or store each key's sha256)`);
  }
  return warnings;
}
