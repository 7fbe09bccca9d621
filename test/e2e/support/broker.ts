// Starts the real broker (the built `bin/infill-broker.js`) on an ephemeral loopback port, in a
// throw-away config folder, with a known broker key. Local mode unless Firefly settings are given.

import { ChildProcess, spawn } from "child_process";
import crypto from "crypto";
import fs from "fs";
import os from "os";
import path from "path";

const ROOT = path.resolve(__dirname, "../../..");

export interface RunningBroker {
  url: string;
  key: string;
  output(): string;
  stop(): Promise<void>;
}

export interface BrokerEnv {
  /** Extra environment, e.g. FIREFLY_SERVICES_CLIENT_ID/SECRET, INFILL_IMS_URL, INFILL_FIREFLY_URL. */
  env?: Record<string, string>;
}

export async function startBroker(opts: BrokerEnv = {}): Promise<RunningBroker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-e2e-broker-"));
  const key = `e2e-${crypto.randomBytes(16).toString("hex")}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    INFILL_HOST: "127.0.0.1",
    INFILL_PORT: "0",
    INFILL_API_KEY: key,
    INFILL_CONFIG_DIR: path.join(dir, "config"),
    INFILL_DATA_DIR: path.join(dir, "data"),
    ...opts.env,
  };
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, "bin", "infill-broker.js")], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`broker did not start within 60 s:\n${out}`)), 60000);
    const check = () => {
      const m = /address:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`broker exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    key,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 10000).unref();
      }),
  };
}
