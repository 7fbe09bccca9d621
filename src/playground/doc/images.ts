// Images in the browser: bundled samples drawn procedurally, files from disk, PNG export.
// Everything is 8-bit RGBA (the Host's RGBAImage).

import type { RGBAImage } from "../../common/host";

export interface Sample {
  id: string;
  title: string;
  width: number;
  height: number;
  draw(ctx: CanvasRenderingContext2D, w: number, h: number): void;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
}

export const SAMPLES: Sample[] = [
  {
    id: "beach",
    title: "Beach at dusk",
    width: 960,
    height: 640,
    draw(ctx, w, h) {
      const sky = ctx.createLinearGradient(0, 0, 0, h * 0.6);
      sky.addColorStop(0, "#1d2b64");
      sky.addColorStop(0.6, "#f8a05a");
      sky.addColorStop(1, "#fbd786");
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, w, h * 0.6);
      ctx.fillStyle = "#ffe29a";
      ctx.beginPath();
      ctx.arc(w * 0.68, h * 0.5, h * 0.08, 0, Math.PI * 2);
      ctx.fill();
      const sea = ctx.createLinearGradient(0, h * 0.6, 0, h * 0.8);
      sea.addColorStop(0, "#2b5876");
      sea.addColorStop(1, "#4e8fa8");
      ctx.fillStyle = sea;
      ctx.fillRect(0, h * 0.6, w, h * 0.2);
      const r = rng(7);
      ctx.strokeStyle = "rgba(255,255,255,0.35)";
      for (let i = 0; i < 60; i++) {
        const y = h * 0.6 + r() * h * 0.2;
        const x = r() * w;
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + 20 + r() * 40, y);
        ctx.stroke();
      }
      const sand = ctx.createLinearGradient(0, h * 0.8, 0, h);
      sand.addColorStop(0, "#e6c28b");
      sand.addColorStop(1, "#c89b5e");
      ctx.fillStyle = sand;
      ctx.fillRect(0, h * 0.8, w, h * 0.2);
      for (let i = 0; i < 3000; i++) {
        ctx.fillStyle = `rgba(120,80,40,${0.08 + r() * 0.1})`;
        ctx.fillRect(r() * w, h * 0.8 + r() * h * 0.2, 2, 2);
      }
    },
  },
  {
    id: "hills",
    title: "Green hills",
    width: 800,
    height: 800,
    draw(ctx, w, h) {
      const sky = ctx.createLinearGradient(0, 0, 0, h);
      sky.addColorStop(0, "#87ceeb");
      sky.addColorStop(1, "#e0f6ff");
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, w, h);
      const colors = ["#6a9f4b", "#4f8a3c", "#3b6e2e", "#2c5523"];
      colors.forEach((c, k) => {
        ctx.fillStyle = c;
        ctx.beginPath();
        ctx.moveTo(0, h);
        for (let x = 0; x <= w; x += 8) {
          const y = h * (0.45 + k * 0.13) + Math.sin(x / (70 + k * 25) + k * 2) * 30 + Math.sin(x / 23 + k) * 6;
          ctx.lineTo(x, y);
        }
        ctx.lineTo(w, h);
        ctx.closePath();
        ctx.fill();
      });
      ctx.fillStyle = "rgba(255,255,255,0.9)";
      for (const [cx, cy, s] of [
        [180, 140, 1],
        [520, 90, 1.3],
        [660, 200, 0.8],
      ]) {
        for (let i = 0; i < 5; i++) {
          ctx.beginPath();
          ctx.arc(cx + (i - 2) * 22 * s, cy + (i % 2) * -12 * s, 26 * s, 0, Math.PI * 2);
          ctx.fill();
        }
      }
    },
  },
  {
    id: "tiles",
    title: "Tiled wall",
    width: 640,
    height: 480,
    draw(ctx, w, h) {
      const r = rng(3);
      const size = 40;
      for (let y = 0; y < h; y += size) {
        for (let x = 0; x < w; x += size) {
          const t = 150 + Math.floor(r() * 60);
          ctx.fillStyle = `rgb(${t + 30},${t - 10},${t - 50})`;
          ctx.fillRect(x + 2, y + 2, size - 4, size - 4);
        }
      }
      ctx.strokeStyle = "#5b4636";
      ctx.lineWidth = 4;
      for (let y = 0; y <= h; y += size) {
        ctx.beginPath();
        ctx.moveTo(0, y);
        ctx.lineTo(w, y);
        ctx.stroke();
      }
      for (let x = 0; x <= w; x += size) {
        ctx.beginPath();
        ctx.moveTo(x, 0);
        ctx.lineTo(x, h);
        ctx.stroke();
      }
    },
  },
];

export function canvasFor(w: number, h: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  const ctx = c.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("2D canvas unavailable");
  return [c, ctx];
}

export function imageFromCanvas(ctx: CanvasRenderingContext2D, w: number, h: number): RGBAImage {
  const d = ctx.getImageData(0, 0, w, h);
  return { width: w, height: h, data: new Uint8Array(d.data.buffer.slice(0)) };
}

export function renderSample(s: Sample): RGBAImage {
  const [, ctx] = canvasFor(s.width, s.height);
  s.draw(ctx, s.width, s.height);
  return imageFromCanvas(ctx, s.width, s.height);
}

/** Decodes an image file (PNG, JPEG, WebP…) with the browser's codecs. */
export async function decodeFile(file: Blob): Promise<RGBAImage> {
  const bmp = await createImageBitmap(file);
  const [, ctx] = canvasFor(bmp.width, bmp.height);
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  return imageFromCanvas(ctx, ctx.canvas.width, ctx.canvas.height);
}

export function imageToCanvas(img: RGBAImage): HTMLCanvasElement {
  const [c, ctx] = canvasFor(img.width, img.height);
  const clamped = new Uint8ClampedArray(img.data.byteLength);
  clamped.set(img.data);
  ctx.putImageData(new ImageData(clamped, img.width, img.height), 0, 0);
  return c;
}

export function encodePng(img: RGBAImage): Promise<Blob> {
  return new Promise((resolve, reject) => imageToCanvas(img).toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"));
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
