// The broker's version, read once from the nearest package.json above this module.

import * as fs from "fs";
import * as path from "path";

export function brokerVersion(): string {
  try {
    let dir = __dirname;
    for (let i = 0; i < 6; i++, dir = path.dirname(dir)) {
      const p = path.join(dir, "package.json");
      if (fs.existsSync(p)) return String(JSON.parse(fs.readFileSync(p, "utf8")).version ?? "0.0.0");
    }
  } catch {
    /* fall through */
  }
  return "0.0.0";
}
