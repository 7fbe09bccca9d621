// The naive pipeline Infill is measured against: the whole document downscaled to a Firefly size,
// sent as PNG with a whole-canvas mask, and the result scaled back over the whole canvas as one
// layer. Same host, same service stand-in, same codecs.

import { FILL_SIZES } from "../../src/common/firefly";
import type { Host } from "../../src/common/host";
import { decodeImage, encodeGrayPng, encodeRGBAPng } from "../../src/common/imaging/codecs";
import { createGray, pasteGray } from "../../src/common/imaging/image";
import { closestPreset } from "../../src/common/imaging/placement";
import { resampleGray, resampleRGBA } from "../../src/common/imaging/resample";
import type { BrokerClient } from "../../src/plugin/broker-client";

export async function naiveFill(host: Host, broker: BrokerClient, docId: number, seeds: number[]) {
  const phases: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    phases[name] = (phases[name] ?? 0) + n - t;
    t = n;
  };
  const doc = (await host.documents()).find((d) => d.id === docId)!;
  const sel = (await host.selection(docId))!;
  const size = closestPreset({ width: doc.width, height: doc.height }, FILL_SIZES);
  const source = await host.composite(docId, { targetSize: size });
  const fullMask = createGray(doc.width, doc.height);
  pasteGray(fullMask, sel.mask, sel.bounds.left, sel.bounds.top);
  const mask = resampleGray(fullMask, size.width, size.height);
  lap("capture");
  const srcPng = encodeRGBAPng(source);
  const maskPng = encodeGrayPng(mask);
  const [s, m] = await Promise.all([broker.upload(srcPng, "image/png"), broker.upload(maskPng, "image/png")]);
  lap("encode+upload");
  const accept = await broker.submit("fill", {
    image: { source: { uploadId: s } },
    mask: { source: { uploadId: m } },
    size,
    numVariations: seeds.length,
    seeds,
  });
  lap("submit");
  const st = await broker.status(accept.jobId);
  lap("generate");
  const bytes = await Promise.all(st.job.result!.outputs.map((o) => broker.download(o.image.url)));
  lap("download");
  const decoded = bytes.map((b) => decodeImage(b));
  lap("decode");
  const layers = decoded.map((d) => resampleRGBA(d, doc.width, doc.height));
  await host.apply(docId, {
    name: "naive",
    expectDocumentSize: { width: doc.width, height: doc.height },
    ops: layers.flatMap((pixels, i) => [
      { op: "createPixelLayer" as const, ref: `v${i}`, name: `v${i}`, pixels, left: 0, top: 0, visible: i === 0 },
      { op: "setLayerMask" as const, layer: { ref: `v${i}` }, mask: fullMask, left: 0, top: 0 },
    ]),
  });
  lap("compose+apply");
  return { phases, bytesUp: srcPng.length + maskPng.length, bytesDown: bytes.reduce((n, b) => n + b.length, 0) };
}
