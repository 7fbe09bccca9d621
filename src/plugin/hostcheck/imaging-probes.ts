// Imaging probes at 8, 16 and 32 bits per channel, on a scratch document: exact pixel round trips
// (16-bit range 0..32768), targetSize reads, selections, layer masks at a rectangle, alpha.

import type { Rect } from "../../common/host";
import { guarded } from "./outcome";
import type { Probe, ScratchDoc } from "./types";

export type DocProbe = Probe<ScratchDoc> & { bits: 8 | 16 | 32 };

const SIDE = 16;
const AT = { left: 8, top: 8 };
const rectAt = (at: { left: number; top: number }, w: number, h: number): Rect => ({ left: at.left, top: at.top, right: at.left + w, bottom: at.top + h });

/** A known RGBA pattern at the document's depth, with full-range extremes and opaque alpha. */
export function pattern(bits: 8 | 16 | 32, w = SIDE, h = SIDE): Uint8Array | Uint16Array | Float32Array {
  const max = bits === 8 ? 255 : bits === 16 ? 32768 : 1;
  const out = bits === 8 ? new Uint8Array(w * h * 4) : bits === 16 ? new Uint16Array(w * h * 4) : new Float32Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const x = i % w,
      y = Math.floor(i / w);
    const v = [x / (w - 1), y / (h - 1), ((x + y) % 3) / 2];
    for (let k = 0; k < 3; k++) out[i * 4 + k] = bits === 32 ? v[k] : Math.round(v[k] * max);
    out[i * 4 + 3] = max;
  }
  return out;
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} instead of ${b.length}`;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return `value ${i} is ${a[i]} instead of ${b[i]}`;
  return null;
}

function perDepth(bits: 8 | 16 | 32): DocProbe[] {
  return [
    {
      id: `imaging.${bits}.pixels-round-trip`,
      group: "imaging",
      bits,
      expected: `putPixels then getPixels gives back a ${SIDE}×${SIDE} RGBA pattern exactly${bits === 16 ? " (16-bit range 0..32768)" : ""}, at the same bounds`,
      run: (doc) =>
        guarded(async () => {
          const layer = await doc.newLayer("round trip");
          const data = pattern(bits);
          await doc.putPixels(layer, data, SIDE, SIDE, AT);
          const got = await doc.getPixels(layer, rectAt(AT, SIDE, SIDE));
          const bounds = rectAt(AT, SIDE, SIDE);
          if (JSON.stringify(got.sourceBounds) !== JSON.stringify(bounds))
            return { verdict: "fail", observed: `sourceBounds ${JSON.stringify(got.sourceBounds)}` };
          if (got.components !== 4) return { verdict: "fail", observed: `${got.components} components` };
          const diff = firstDifference(got.data, data);
          return diff ? { verdict: "fail", observed: diff } : { verdict: "pass", observed: "exact" };
        }),
    },
    {
      id: `imaging.${bits}.target-size`,
      group: "imaging",
      bits,
      expected: "getPixels with targetSize half the source returns at most that size; sourceBounds in document or pyramid-level pixels",
      run: (doc) =>
        guarded(async () => {
          const layer = await doc.newLayer("target size");
          await doc.putPixels(layer, pattern(bits), SIDE, SIDE, AT);
          const got = await doc.getPixels(layer, rectAt(AT, SIDE, SIDE), { width: SIDE / 2, height: SIDE / 2 });
          const b = got.sourceBounds;
          const levelBounds = b.right - b.left === SIDE / 2;
          const observed = `${got.width}×${got.height}, sourceBounds ${b.left},${b.top},${b.right},${b.bottom}`;
          if (got.width > SIDE / 2 || got.height > SIDE / 2) return { verdict: "fail", observed };
          return { verdict: "pass", observed, branch: levelBounds ? "sourceBounds at the pyramid level" : "sourceBounds in document pixels" };
        }),
    },
    {
      id: `imaging.${bits}.layer-mask-rect`,
      group: "imaging",
      bits,
      expected: "a hide-all mask by batchPlay, then putLayerMask with targetBounds and replace: false, writes the rectangle only (hidden outside)",
      run: (doc) =>
        guarded(async () => {
          const layer = await doc.newLayer("mask");
          await doc.putPixels(layer, pattern(bits), SIDE, SIDE, AT);
          const gray = new Uint8Array(SIDE * SIDE).map((_, i) => (i % SIDE) * 16);
          const bounds = rectAt(AT, SIDE, SIDE);
          await doc.putLayerMask(layer, gray, bounds);
          const inside = await doc.getLayerMask(layer, bounds);
          const diff = firstDifference(inside, gray);
          if (diff) return { verdict: "fail", observed: `inside: ${diff}` };
          const around = await doc.getLayerMask(layer, { left: 0, top: 0, right: AT.left, bottom: AT.top });
          if (around.some((v) => v !== 0)) return { verdict: "fail", observed: "outside the rectangle is not hidden" };
          return { verdict: "pass", observed: "rectangle exact, hidden outside" };
        }),
    },
  ];
}

const ELLIPSE: Rect = { left: 16, top: 16, right: 48, bottom: 48 };

export const selectionProbes: DocProbe[] = [
  {
    id: "imaging.selection-none",
    group: "imaging",
    bits: 8,
    expected: "getSelection without a selection throws or gives an empty mask (both are handled)",
    run: (doc) =>
      guarded(async () => {
        await doc.deselect();
        const got = await doc.getSelection({ left: 0, top: 0, right: 8, bottom: 8 });
        if (got === "threw") return { verdict: "info", observed: "throws", branch: "no selection: caught error" };
        return got.every((v) => v === 0)
          ? { verdict: "info", observed: "empty mask", branch: "no selection: empty mask" }
          : { verdict: "fail", observed: "a non-empty mask without a selection" };
      }),
  },
  {
    id: "imaging.selection-ellipse",
    group: "imaging",
    bits: 8,
    expected: "an ellipse selection reads 255 at its centre and 0 at the corners of its bounds",
    run: (doc) =>
      guarded(async () => {
        await doc.selectEllipse(ELLIPSE);
        const got = await doc.getSelection(ELLIPSE);
        await doc.deselect();
        if (got === "threw") return { verdict: "fail", observed: "getSelection threw" };
        const w = ELLIPSE.right - ELLIPSE.left;
        const centre = got[(w / 2) * w + w / 2];
        const corner = got[0];
        const observed = `centre ${centre}, corner ${corner}`;
        return centre === 255 && corner === 0 ? { verdict: "pass", observed } : { verdict: "fail", observed };
      }),
  },
  {
    id: "imaging.alpha",
    group: "imaging",
    bits: 8,
    expected: "getPixels gives straight (not premultiplied) alpha",
    run: (doc) =>
      guarded(async () => {
        const layer = await doc.newLayer("alpha");
        const px = new Uint8Array([200, 100, 50, 128]);
        await doc.putPixels(layer, px, 1, 1, AT);
        const got = Array.from((await doc.getPixels(layer, rectAt(AT, 1, 1))).data);
        const observed = `[200,100,50,128] read as [${got.join(",")}]`;
        if (got.join() === "200,100,50,128") return { verdict: "pass", observed, branch: "straight alpha" };
        return { verdict: "fail", observed, branch: got[0] === Math.round((200 * 128) / 255) ? "premultiplied alpha" : "unknown" };
      }),
  },
];

export const imagingProbes: DocProbe[] = [...perDepth(8), ...selectionProbes, ...perDepth(16), ...perDepth(32)];
