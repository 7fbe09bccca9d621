// Harmonize planning, pure: the area a result may change, the checks on the object, what is sent and
// the result layer's mask.

import type { FillGeometry } from "../../src/common/imaging/context";
import { createGray, createRGBA } from "../../src/common/imaging/image";
import { composeHarmonize, harmonizeArea, harmonizeSent, objectProblem, shadowReach } from "../../src/common/imaging/harmonize";

const footprint = { left: 40, top: 30, right: 100, bottom: 90 };

test("the area: footprint, a 2 px edge, and a third of the object's height below when it casts a shadow; inside the canvas", () => {
  expect(shadowReach(footprint, true)).toBe(20);
  expect(shadowReach(footprint, false)).toBe(2);
  expect(harmonizeArea({ width: 200, height: 200 }, footprint, 20)).toEqual({ left: 38, top: 28, right: 102, bottom: 110 });
  expect(harmonizeArea({ width: 101, height: 100 }, footprint, 20)).toEqual({ left: 38, top: 28, right: 101, bottom: 100 });
});

test("the object must have pixels and transparency", () => {
  const img = createRGBA(4, 4);
  expect(objectProblem(img)).toBe("empty");
  img.data.fill(255);
  expect(objectProblem(img)).toBe("opaque");
  img.data[3] = 0;
  expect(objectProblem(img)).toBeNull();
});

test("sent at the window's scale: the fill-area mask marks the footprint, the object and its alpha match it", () => {
  const g: FillGeometry = {
    selection: footprint,
    window: { left: 0, top: 0, right: 200, bottom: 200 },
    sendSize: { width: 400, height: 400 },
    scaleX: 2,
    scaleY: 2,
    anisotropy: 0,
  };
  const object = createRGBA(60, 60, [200, 0, 0, 255]);
  object.data[3] = 0; // one transparent corner pixel
  const sent = harmonizeSent(object, footprint, g);
  expect([sent.object.width, sent.object.height]).toEqual([120, 120]);
  expect([sent.objectMask.width, sent.objectMask.height]).toEqual([120, 120]);
  const m = sent.fillAreaMask;
  expect([m.width, m.height]).toEqual([400, 400]);
  // The footprint is (40, 30)–(100, 90) in the document, (80, 60)–(200, 180) at send size.
  expect(m.data[62 * 400 + 90]).toBe(255);
  expect(m.data[58 * 400 + 90]).toBe(0);
  expect(m.data[177 * 400 + 197]).toBe(255);
  expect(m.data[182 * 400 + 197]).toBe(0);
  expect(m.data[90 * 400 + 202]).toBe(0);
});

test("the result layer: opaque mask on the footprint, fading over the reach, nothing outside the area", () => {
  const g: FillGeometry = {
    selection: footprint,
    window: { left: 0, top: 0, right: 200, bottom: 200 },
    sendSize: { width: 200, height: 200 },
    scaleX: 1,
    scaleY: 1,
    anisotropy: 0,
  };
  const mask = createGray(60, 60, 255);
  const area = harmonizeArea({ width: 200, height: 200 }, footprint, 20);
  const c = composeHarmonize(createRGBA(200, 200, [1, 2, 3, 255]), g, { bounds: footprint, mask }, area, 20);
  expect(c.rect).toEqual(area);
  const at = (x: number, y: number) => c.mask!.data[(y - area.top) * (area.right - area.left) + (x - area.left)];
  expect(at(70, 60)).toBe(255);
  expect(at(70, 89)).toBe(255);
  const below = [90, 95, 100, 109].map((y) => at(70, y));
  expect(below[0]).toBeLessThan(255);
  expect(below[0]).toBeGreaterThan(below[1]);
  expect(below[1]).toBeGreaterThan(below[2]);
  expect(below[2]).toBeGreaterThan(0);
  expect(c.pixels.width * c.pixels.height).toBe(c.mask!.width * c.mask!.height);
});
