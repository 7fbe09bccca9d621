// The pixel-reading helpers the image tests rely on to see a difference.
import { firstDifference, px, samePixel } from "./pixels";

const img = (width: number, values: number[]) => ({ width, data: Uint8Array.from(values) });

test("samePixel compares all four channels of the pixels named, at their own positions", () => {
  const a = img(2, [1, 2, 3, 4, 5, 6, 7, 8]);
  const b = img(1, [5, 6, 7, 8, 1, 2, 3, 4]);
  expect(samePixel(a, 1, 0, b, 0, 0)).toBe(true);
  expect(samePixel(a, 0, 0, b, 0, 1)).toBe(true);
  expect(samePixel(a, 0, 0, a)).toBe(true);
  for (let c = 0; c < 4; c++) {
    const d = img(2, [1, 2, 3, 4, 5, 6, 7, 8]);
    d.data[c]++;
    expect(samePixel(a, 0, 0, d)).toBe(false);
  }
  expect(samePixel(a, 0, 0, b, 0, 0)).toBe(false);
});

test("px and firstDifference", () => {
  const a = img(2, [1, 2, 3, 4, 5, 6, 7, 8]);
  expect(px(a, 1, 0)).toEqual([5, 6, 7, 8]);
  expect(firstDifference(a.data, a.data.slice())).toBe("");
  expect(firstDifference(a.data, Uint8Array.of(1, 2, 3, 4, 5, 6, 9, 8))).toBe("byte 6: 7 ≠ 9");
  expect(firstDifference(a.data, a.data.subarray(1))).toBe("length 8 ≠ 7");
});
