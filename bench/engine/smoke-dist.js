// Smoke check of the compiled local provider (production path: dist/node, worker.js, no ts-node).
// Run: npx tsc -p tsconfig.node.json && node bench/engine/smoke-dist.js
const { createLocalProvider } = require("../../dist/node/broker/local");
const sharp = require("sharp");
const { Readable } = require("stream");
const os = require("os"),
  fs = require("fs"),
  path = require("path");
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-local-"));
  const p = createLocalProvider({ dataDir: dir, log: (e) => console.log(JSON.stringify(e)) });
  const w = 320,
    h = 240;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    raw[i * 3] = (i * 7) % 256;
    raw[i * 3 + 1] = (i % w) * 0.7;
    raw[i * 3 + 2] = 128;
  }
  const png = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
  const m = Buffer.alloc(w * h);
  for (let y = 80; y < 160; y++) for (let x = 100; x < 200; x++) m[y * w + x] = 255;
  const mpng = await sharp(m, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
  const a = await p.upload(Readable.from([png]), "image/png", "me");
  const b = await p.upload(Readable.from([mpng]), "image/png", "me");
  const { jobId } = await p.submit(
    "fill",
    { image: { source: { uploadId: a.uploadId } }, mask: { source: { uploadId: b.uploadId } }, seeds: [5] },
    undefined,
    "me",
  );
  let s;
  for (;;) {
    s = await p.status(jobId);
    if (!["pending", "running"].includes(s.status)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(JSON.stringify(s));
  const out = await p.openOutput(s.result.outputs[0].image.url);
  console.log(out.contentType, out.contentLength);
  try {
    await p.submit("generate", { prompt: "x" }, undefined, "me");
  } catch (e) {
    console.log(e.status, JSON.stringify(e.body));
  }
  await p.close();
})();
