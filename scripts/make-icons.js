// Renders the panel and plugin-list icons (PNG, @1x and @2x) from one SVG glyph.
// Run: node scripts/make-icons.js  (the PNGs are committed under plugin/icons).
const sharp = require("sharp");
const path = require("path");

const glyph = (stroke) => `
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
  <rect x="3" y="3" width="18" height="18" rx="2" fill="none" stroke="${stroke}" stroke-width="1.6" stroke-dasharray="3 2"/>
  <path d="M7 17 L11 11 L14 14.5 L15.5 12.5 L18 17 Z" fill="${stroke}"/>
  <path d="M16 5.2 l0.8 1.9 1.9 0.8 -1.9 0.8 -0.8 1.9 -0.8 -1.9 -1.9 -0.8 1.9 -0.8 Z" fill="${stroke}"/>
</svg>`;

const outputs = [
  // Panel icons: dark glyph colour for light themes and vice versa.
  { name: "dark", size: 23, stroke: "#E8E8E8" },
  { name: "light", size: 23, stroke: "#323232" },
  { name: "plugin", size: 48, stroke: "#2680EB" },
];

async function main() {
  const dir = path.join(__dirname, "..", "plugin", "icons");
  for (const o of outputs) {
    for (const scale of [1, 2]) {
      const px = o.size * scale;
      const file = path.join(dir, scale === 1 ? `${o.name}.png` : `${o.name}@2x.png`);
      await sharp(Buffer.from(glyph(o.stroke)), { density: 72 * (px / 24) * 2 })
        .resize(px, px)
        .png()
        .toFile(file);
    }
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
