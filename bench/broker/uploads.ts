// Upload bench: what keeping a copy of each upload for instant previews costs a Firefly-mode
// broker's `POST /v2/storage/image`, against the same broker with previews off, in one run.
//
//   npx ts-node --transpile-only --project bench/tsconfig.json bench/broker/uploads.ts \
//     [--uploads 40] [--rounds 5] [--kb 1024] [--broker-rev <git revision>[,<another>|.]]
//
// Each broker (one per revision and previews setting) runs in a child process against the fake
// Firefly in another. In each round every broker in turn (the order reversed every round) takes
// `--uploads` sequential uploads of the same PNG of about `--kb` KB (random pixels, so it does not
// compress) on one keep-alive connection; the time per upload is from sending it to its answer.
// Printed: per broker the median and p90 upload time and its CPU per upload, and per revision the
// difference previews on − off of the medians. Figures only: the machine may be shared.

import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import type { ChildProcess } from "child_process";
import sharp from "sharp";
import { arg, cpuMicros, forkTs, quantile, startUpstream, stopChild, textArg, type Upstream } from "../support/procs";

const UPLOADS = arg("uploads", 40);
const ROUNDS = arg("rounds", 5);
const KB = arg("kb", 1024);
/** Revisions to measure ("" or "." the working tree), comma-separated. */
const REVS = (textArg("broker-rev") ?? "").split(",").map((r) => (r.trim() === "." ? "" : r.trim()));
const KEY = "ifk_bench_uploads_0123456789abcdefghijkl";

interface Target {
  name: string;
  rev: string;
  previews: boolean;
  url: URL;
  child: ChildProcess;
  times: number[];
  cpuMs: number;
}

async function start(rev: string, previews: boolean, up: Upstream, dir: string): Promise<Target> {
  const data = fs.mkdtempSync(path.join(dir, "broker-"));
  const keys = path.join(data, "keys.json");
  fs.writeFileSync(keys, JSON.stringify({ keys: [{ name: "bench", key: KEY }] }), { mode: 0o600 });
  const { msg, child } = await forkTs<{ url: string }>(
    "support/broker.ts",
    {
      FIREFLY_SERVICES_CLIENT_ID: up.clientId,
      FIREFLY_SERVICES_CLIENT_SECRET: up.clientSecret,
      INFILL_IMS_URL: up.imsUrl,
      INFILL_FIREFLY_URL: up.url,
      INFILL_PORT: "0",
      INFILL_KEYS_FILE: keys,
      INFILL_CONFIG_DIR: path.join(data, "cfg"),
      INFILL_DATA_DIR: path.join(data, "data"),
      INFILL_PREVIEWS: previews ? "on" : "off",
    },
    [],
    rev,
  );
  return { name: `${rev || "working tree"}, previews ${previews ? "on" : "off"}`, rev, previews, url: new URL(msg.url), child, times: [], cpuMs: 0 };
}

function upload(agent: http.Agent, url: URL, png: Buffer): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/v2/storage/image",
        agent,
        headers: { authorization: `Bearer ${KEY}`, "content-type": "image/png", "content-length": png.length },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`upload answered ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(png);
  });
}

async function main() {
  // Random pixels: a PNG of about KB kilobytes.
  const side = Math.round(Math.sqrt((KB * 1024) / 3));
  const png = await sharp(Buffer.from(Array.from({ length: side * side * 3 }, () => Math.floor(Math.random() * 256))), {
    raw: { width: side, height: side, channels: 3 },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-uploads-"));
  const { msg: up, child: upstream } = await startUpstream();
  const targets: Target[] = [];
  try {
    for (const rev of REVS) for (const previews of [true, false]) targets.push(await start(rev, previews, up, dir));
    console.log(
      `upload bench: ${ROUNDS} rounds × ${UPLOADS} sequential uploads of a ${side}×${side} PNG (${(png.length / 1024).toFixed(0)} KB) per broker; ` +
        `${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)} at start\n`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 ? [...targets].reverse() : targets) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        await upload(agent, t.url, png); // the connection, and the IMS token on the first round
        const cpu0 = await cpuMicros(t.child);
        for (let i = 0; i < UPLOADS; i++) t.times.push(await upload(agent, t.url, png));
        t.cpuMs += ((await cpuMicros(t.child)) - cpu0) / 1000;
        agent.destroy();
      }
    }
    const rows = [["broker", "median ms", "p90 ms", "CPU ms/upload"]];
    const median = new Map<Target, number>();
    for (const t of targets) {
      const s = [...t.times].sort((a, b) => a - b);
      median.set(t, quantile(s, 0.5));
      rows.push([t.name, quantile(s, 0.5).toFixed(2), quantile(s, 0.9).toFixed(2), (t.cpuMs / t.times.length).toFixed(2)]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
    console.log("");
    for (const rev of REVS) {
      const on = targets.find((t) => t.rev === rev && t.previews)!;
      const off = targets.find((t) => t.rev === rev && !t.previews)!;
      console.log(
        `${rev || "working tree"}: previews on − off = ${(median.get(on)! - median.get(off)!).toFixed(2)} ms per upload (median), ` +
          `${(on.cpuMs / on.times.length - off.cpuMs / off.times.length).toFixed(2)} ms CPU`,
      );
    }
    console.log(`load ${os.loadavg()[0].toFixed(2)} at the end`);
  } finally {
    for (const t of targets) await stopChild(t.child);
    await stopChild(upstream);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
