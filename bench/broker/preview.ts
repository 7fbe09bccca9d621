// What instant previews cost a Firefly broker: the upload time with previews on (each upload's
// bytes also kept for the local engine) against previews off, in the same run, and how long a preview takes to
// come back for a fill the size Infill sends. Both brokers talk to the in-repo fake Firefly, in process.
//   npx ts-node --transpile-only -P bench/tsconfig.json bench/broker/preview.ts

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { loadConfig } from "../../src/broker/config";
import { startBroker, type Broker } from "../../src/broker/server";
import { startFakeFirefly } from "../../test/fakes/firefly";

const KEY = "bench-preview-key-0123456789abcdef";
const UPLOADS = 12;
const PREVIEWS = 4;

async function broker(env: Record<string, string>): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-bench-preview-"));
  const config = loadConfig(
    {
      INFILL_PORT: "0",
      INFILL_API_KEY: KEY,
      INFILL_CONFIG_DIR: path.join(dir, "c"),
      INFILL_DATA_DIR: path.join(dir, "d"),
      INFILL_RATE_PER_MINUTE: "0",
      ...env,
    },
    { cwd: dir },
  );
  return startBroker({ config, logSink: () => undefined });
}

async function post(url: string, body: Buffer | string, type: string): Promise<Response> {
  const res = await fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : new Uint8Array(body),
    headers: { authorization: `Bearer ${KEY}`, "content-type": type },
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res;
}

const upload = async (b: Broker, bytes: Buffer, type: string): Promise<string> =>
  ((await (await post(`${b.url}/v2/storage/image`, bytes, type)).json()) as { images: { id: string }[] }).images[0].id;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

void (async () => {
  const ff = await startFakeFirefly();
  const on = await broker({ ...ff.env(), INFILL_PREVIEWS: "on" });
  const off = await broker({ ...ff.env(), INFILL_PREVIEWS: "off" });
  // The window Infill sends for a fill: 1024², a textured JPEG, and its mask with a 256² hole.
  const raw = Buffer.alloc(1024 * 1024 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  const source = await sharp(raw, { raw: { width: 1024, height: 1024, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const m = Buffer.alloc(1024 * 1024);
  for (let y = 384; y < 640; y++) m.fill(255, y * 1024 + 384, y * 1024 + 640);
  const mask = await sharp(m, { raw: { width: 1024, height: 1024, channels: 1 } })
    .png()
    .toBuffer();

  // Warm both up, then alternate so neither gets a quieter machine.
  await upload(on, source, "image/jpeg");
  await upload(off, source, "image/jpeg");
  const tOn: number[] = [];
  const tOff: number[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    tOff.push(...(await timed(1, () => upload(off, source, "image/jpeg"))));
    tOn.push(...(await timed(1, () => upload(on, source, "image/jpeg"))));
  }
  console.log(`upload of a ${Math.round(source.length / 1024)} KB JPEG, median of ${UPLOADS}:`);
  console.log(`  previews off ${median(tOff).toFixed(1)} ms, on ${median(tOn).toFixed(1)} ms, ratio ${(median(tOn) / median(tOff)).toFixed(2)}`);

  const s = await upload(on, source, "image/jpeg");
  const k = await upload(on, mask, "image/png");
  const body = JSON.stringify({ image: { source: { uploadId: s } }, mask: { source: { uploadId: k } }, seeds: [7] });
  const first = await timed(1, () => post(`${on.url}/v1/preview/fill`, body, "application/json").then((r) => r.arrayBuffer()));
  const warm = await timed(PREVIEWS, () => post(`${on.url}/v1/preview/fill`, body, "application/json").then((r) => r.arrayBuffer()));
  console.log(
    `preview of a 1024² fill with a 256² hole: first ${first[0].toFixed(0)} ms (engine start), then median of ${PREVIEWS} ${median(warm).toFixed(0)} ms`,
  );

  await on.close();
  await off.close();
  await ff.close();
})();
