// Pixel storage at a document's bit depth, as Photoshop keeps it: 8-bit 0..255, 16-bit 0..32768,
// 32-bit linear floats (alpha linear 0..1). Reads for the workflows are 8-bit sRGB.

export type Depth = 8 | 16 | 32;
export type Channels = Uint8Array | Uint16Array | Float32Array;

export const MAX16 = 32768;

export function allocChannels(depth: Depth, length: number): Channels {
  return depth === 8 ? new Uint8Array(length) : depth === 16 ? new Uint16Array(length) : new Float32Array(length);
}

function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

function linearToSrgb(v: number): number {
  if (v <= 0) return 0;
  if (v >= 1) return 1;
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

/** Normalised [0,1] value of a stored sample (colour channels of 32-bit are converted to sRGB). */
export function sampleToUnit(depth: Depth, v: number, isAlpha: boolean): number {
  if (depth === 8) return v / 255;
  if (depth === 16) return v / MAX16;
  return isAlpha ? Math.min(1, Math.max(0, v)) : linearToSrgb(v);
}

export function unitToSample(depth: Depth, u: number, isAlpha: boolean): number {
  if (depth === 8) return Math.round(u * 255);
  if (depth === 16) return Math.round(u * MAX16);
  return isAlpha ? u : srgbToLinear(u);
}

/** 8-bit RGBA → storage at `depth`. */
export function from8(depth: Depth, data: Uint8Array): Channels {
  if (depth === 8) return data.slice();
  const out = allocChannels(depth, data.length);
  for (let i = 0; i < data.length; i++) out[i] = unitToSample(depth, data[i] / 255, (i & 3) === 3);
  return out;
}

/** Storage at `depth` → 8-bit RGBA (what getPixels with componentSize 8 returns). */
export function to8(depth: Depth, data: Channels): Uint8Array {
  if (depth === 8) return (data as Uint8Array).slice();
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(sampleToUnit(depth, data[i], (i & 3) === 3) * 255);
  return out;
}
