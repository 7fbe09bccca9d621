// Reading pixels back in tests.

/** The RGBA values of pixel (x, y) of an RGBA image, as a plain array (for toEqual). */
export function px(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}
