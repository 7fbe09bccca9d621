// Reading pixels back in tests.

/** The RGBA values of pixel (x, y) of an RGBA image, as a plain array (for toEqual). */
export function px(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}

/**
 * Where two byte arrays first differ, or "" when they are equal. For whole images, where a deep
 * toEqual walks megabytes element by element: `expect(firstDifference(after, before)).toBe("")`.
 */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  // Equal byte arrays (the passing case) are compared natively; the loop below only finds where.
  if (actual instanceof Uint8Array && expected instanceof Uint8Array && bytes(actual).equals(bytes(expected))) return "";
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return `byte ${i}: ${actual[i]} ≠ ${expected[i]}`;
  return "";
}

function bytes(a: Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Whether pixel (x, y) of `a` and pixel (bx, by) of `b` are equal in all four channels; builds no arrays, for loops over whole images. */
export function samePixel(a: { width: number; data: Uint8Array }, x: number, y: number, b: { width: number; data: Uint8Array }, bx = x, by = y): boolean {
  const i = (y * a.width + x) * 4;
  const j = (by * b.width + bx) * 4;
  return a.data[i] === b.data[j] && a.data[i + 1] === b.data[j + 1] && a.data[i + 2] === b.data[j + 2] && a.data[i + 3] === b.data[j + 3];
}
