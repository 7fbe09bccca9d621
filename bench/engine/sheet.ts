// Side-by-side PNG sheets (original | holed | ours | Telea) with a caption strip, via sharp.

import sharp from "sharp";
import type { OverlayOptions, Sharp } from "sharp";
import type { RgbaImage } from "../../src/broker/local/engine/types";

function raw(img: RgbaImage): Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 4 } });
}

export async function writeSheet(file: string, panels: { label: string; image: RgbaImage }[], maxPanelWidth = 512): Promise<void> {
  const gap = 8,
    caption = 28;
  const scale = Math.min(1, maxPanelWidth / panels[0].image.width);
  const pw = Math.round(panels[0].image.width * scale),
    ph = Math.round(panels[0].image.height * scale);
  const width = panels.length * pw + (panels.length + 1) * gap;
  const height = ph + caption + 2 * gap;
  const composites: OverlayOptions[] = [];
  for (let i = 0; i < panels.length; i++) {
    const buf = await raw(panels[i].image).resize(pw, ph, { kernel: "lanczos3" }).png().toBuffer();
    const left = gap + i * (pw + gap);
    composites.push({ input: buf, left, top: gap + caption });
    const text = panels[i].label.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const svg = `<svg width="${pw}" height="${caption}" xmlns="http://www.w3.org/2000/svg"><text x="4" y="20" font-family="sans-serif" font-size="16" fill="#222">${text}</text></svg>`;
    composites.push({ input: Buffer.from(svg), left, top: gap });
  }
  await sharp({ create: { width, height, channels: 4, background: "#f2f2f2" } })
    .composite(composites)
    .png()
    .toFile(file);
}
