// A real broker process in local mode for the tests that need one (memory measured from /proc,
// SIGTERM and a fresh start on the same data folder): started through the `infill-broker` command
// from the sources (scripts/register-ts.js), on a port of its own, with the test keys file.

import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KEY_A, call, tmpDir, until, writeKeysFile } from "../broker/helpers";
import { TS_NODE_ARGS } from "../support/node-ts";

export interface BrokerProcess {
  url: string;
  dir: string;
  proc: ChildProcess;
  output: () => string;
  /** Resident memory now, from /proc/<pid>/status (bytes). */
  rss: () => number;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

const ROOT = path.join(__dirname, "..", "..");

/**
 * Start the broker (local mode) on `dir` (a fresh temporary folder by default) with `env` added.
 * With `readOnlyData` it runs in a mount namespace of its own where `<dir>/data` is a read-only
 * bind mount. Resolves once it listens, or once it has exited (then `url` is "").
 */
export async function startBrokerProcess(env: Record<string, string> = {}, dir = tmpDir("infill-local-"), readOnlyData = false): Promise<BrokerProcess> {
  const keysFile = fs.existsSync(path.join(dir, "keys.json")) ? path.join(dir, "keys.json") : writeKeysFile(dir);
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { recursive: true, mode: 0o700 });
  const node = [process.execPath, ...TS_NODE_ARGS, "-e", 'require("./src/broker/main").main(process.argv.slice(1))'];
  const [cmd, ...args] = readOnlyData ? ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', data, ...node] : node;
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      INFILL_PROVIDER: "local",
      INFILL_PORT: "0",
      INFILL_CONFIG_DIR: path.join(dir, "config"),
      INFILL_DATA_DIR: data,
      INFILL_KEYS_FILE: keysFile,
      INFILL_PLAYGROUND_DIR: path.join(dir, "playground"),
      INFILL_UI_DIR: path.join(dir, "ui"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  await until(() => /address:\s+http:\/\/127\.0\.0\.1:\d+/.test(out) || proc.exitCode !== null, "broker start-up", 1200, 50);
  const m = /address:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
  return {
    url: m ? m[1] : "",
    dir,
    proc,
    output: () => out,
    rss: () => {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    stop: () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      return exited;
    },
  };
}

/** Upload a PNG as alice; the upload id. */
export async function uploadPng(url: string, png: Buffer): Promise<string> {
  const r = await call(url, "POST", "/v2/storage/image", { key: KEY_A, body: png, headers: { "content-type": "image/png" } });
  if (r.status !== 200) throw new Error(`upload answered ${r.status}: ${r.text}`);
  return r.json.images[0].id;
}
