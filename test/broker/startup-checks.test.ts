// Start-up warnings: a world-writable config folder, and a world-readable keys file that holds
// plain keys (a file of hashes, or one only its owner reads, gives no warning).

import * as fs from "fs";
import * as path from "path";
import { startupWarnings } from "../../src/broker/startup-checks";
import { tmpDir } from "./helpers";

function setup(dirMode: number, keys: object, fileMode: number) {
  const dir = tmpDir("infill-startup-");
  const configDir = path.join(dir, "config");
  fs.mkdirSync(configDir);
  fs.chmodSync(configDir, dirMode);
  const file = path.join(configDir, "keys.json");
  fs.writeFileSync(file, JSON.stringify(keys));
  fs.chmodSync(file, fileMode);
  return { configDir, file };
}

const PLAIN = { keys: [{ name: "a", key: "ifk_plain_0123456789abcdef" }] };
const HASHED = { keys: [{ name: "a", sha256: "0".repeat(64) }] };

test("a world-writable config folder is warned about", () => {
  const { configDir, file } = setup(0o777, HASHED, 0o600);
  const w = startupWarnings({ configDir }, { INFILL_KEYS_FILE: file }, "linux");
  expect(w).toHaveLength(1);
  expect(w[0]).toContain(configDir);
  expect(w[0]).toContain("written by any user");
});

test("a world-readable keys file with plain keys is warned about; hashed keys or owner-only are not", () => {
  const plainOpen = setup(0o700, PLAIN, 0o644);
  const w = startupWarnings({ configDir: plainOpen.configDir }, { INFILL_KEYS_FILE: plainOpen.file }, "linux");
  expect(w).toEqual([expect.stringContaining(`${plainOpen.file} holds broker keys in plain text`)]);
  expect(w[0]).not.toContain("ifk_plain");
  const hashedOpen = setup(0o700, HASHED, 0o644);
  expect(startupWarnings({ configDir: hashedOpen.configDir }, { INFILL_KEYS_FILE: hashedOpen.file }, "linux")).toEqual([]);
  const plainClosed = setup(0o700, PLAIN, 0o600);
  expect(startupWarnings({ configDir: plainClosed.configDir }, { INFILL_KEYS_FILE: plainClosed.file }, "linux")).toEqual([]);
});

test("the generated key file is checked too", () => {
  const { configDir } = setup(0o700, HASHED, 0o600);
  const file = path.join(configDir, "broker-key");
  fs.writeFileSync(file, "ifk_generated_0123456789abcdef");
  fs.chmodSync(file, 0o604);
  const w = startupWarnings({ configDir, localKey: { key: "x", file, created: false } }, {}, "linux");
  expect(w).toEqual([expect.stringContaining(file)]);
});
