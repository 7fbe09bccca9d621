// The simulated document on screen: its composite scaled to fit, the selection shown as a tint over
// what is not selected, and the selection tools (rectangle, ellipse, lasso) drawn with the mouse.

import React, { useEffect, useRef, useState } from "react";
import type { RGBAImage, SelectionMask } from "../../common/host";
import { imageToCanvas } from "../doc/images";
import { buildSelection, Point, SelectionTool, tracePath } from "../doc/selectionShapes";

export interface DocumentViewProps {
  image: RGBAImage | null;
  selection: SelectionMask | null;
  tool: SelectionTool;
  feather: number;
  onSelect: (sel: SelectionMask | null) => void;
}

const MAX_VIEW = { width: 760, height: 620 };

/** A light tint over what is not selected, and "marching ants" (black/white dashes) on the selection edge. */
/** Built at display size (scale = display / document) so the edge stays one screen pixel wide. */
function selectionOverlay(img: RGBAImage, sel: SelectionMask | null, scale: number): HTMLCanvasElement | null {
  if (!sel) return null;
  const W = Math.max(1, Math.round(img.width * scale));
  const H = Math.max(1, Math.round(img.height * scale));
  const data = new Uint8Array(W * H * 4);
  const { bounds, mask } = sel;
  const at = (sx: number, sy: number): number => {
    const x = Math.floor((sx + 0.5) / scale);
    const y = Math.floor((sy + 0.5) / scale);
    if (x < bounds.left || x >= bounds.right || y < bounds.top || y >= bounds.bottom) return 0;
    return mask.data[(y - bounds.top) * mask.width + (x - bounds.left)];
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const m = at(x, y);
      const i = (y * W + x) * 4;
      const inside = m >= 128;
      const edge =
        inside && (at(x - 1, y) < 128 || at(x + 1, y) < 128 || at(x, y - 1) < 128 || at(x, y + 1) < 128 || x === 0 || y === 0 || x === W - 1 || y === H - 1);
      if (edge) {
        const v = ((x + y) >> 2) & 1 ? 255 : 0;
        data[i] = data[i + 1] = data[i + 2] = v;
        data[i + 3] = 255;
      } else {
        data[i] = 10;
        data[i + 1] = 20;
        data[i + 2] = 60;
        data[i + 3] = Math.round((255 - m) * 0.18);
      }
    }
  }
  return imageToCanvas({ width: W, height: H, data });
}

export function DocumentView({ image, selection, tool, feather, onSelect }: DocumentViewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<Point[] | null>(null);
  const base = useRef<HTMLCanvasElement | null>(null);
  const overlay = useRef<HTMLCanvasElement | null>(null);
  const scale = image ? Math.min(1, MAX_VIEW.width / image.width, MAX_VIEW.height / image.height) : 1;

  useEffect(() => {
    base.current = image ? imageToCanvas(image) : null;
    overlay.current = image ? selectionOverlay(image, selection, scale) : null;
    draw(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- scale and draw follow from image; rebuild only when image or selection changes
  }, [image, selection]);

  function draw(points: Point[] | null) {
    const c = canvasRef.current;
    if (!c || !image) return;
    const ctx = c.getContext("2d")!;
    ctx.clearRect(0, 0, c.width, c.height);
    // Checkerboard for transparency.
    const s = 8;
    for (let y = 0; y < c.height; y += s)
      for (let x = 0; x < c.width; x += s) {
        ctx.fillStyle = ((x + y) / s) % 2 ? "#cfcfcf" : "#f4f4f4";
        ctx.fillRect(x, y, s, s);
      }
    ctx.imageSmoothingQuality = "high";
    if (base.current) ctx.drawImage(base.current, 0, 0, c.width, c.height);
    if (overlay.current) ctx.drawImage(overlay.current, 0, 0, c.width, c.height);
    if (points && points.length > 1) {
      ctx.save();
      ctx.scale(scale, scale);
      tracePath(ctx, tool, points);
      ctx.restore();
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.lineDashOffset = 4;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  const toDoc = (e: React.PointerEvent): Point => {
    const r = canvasRef.current!.getBoundingClientRect();
    const x = Math.min(image!.width, Math.max(0, (e.clientX - r.left) / scale));
    const y = Math.min(image!.height, Math.max(0, (e.clientY - r.top) / scale));
    return tool === "lasso" ? { x, y } : { x: Math.round(x), y: Math.round(y) };
  };

  if (!image) return <div className="pg-empty">Open an image or pick a sample to start.</div>;
  return (
    <canvas
      ref={canvasRef}
      className="pg-canvas"
      data-testid="doc-canvas"
      width={Math.round(image.width * scale)}
      height={Math.round(image.height * scale)}
      data-scale={scale}
      aria-label={`Document canvas, ${image.width} by ${image.height} pixels. Drag to select.`}
      onPointerDown={(e) => {
        (e.target as HTMLElement).setPointerCapture(e.pointerId);
        const p = toDoc(e);
        setDrag([p, p]);
      }}
      onPointerMove={(e) => {
        if (!drag) return;
        const p = toDoc(e);
        const next = tool === "lasso" ? [...drag, p] : [drag[0], p];
        setDrag(next);
        draw(next);
      }}
      onPointerUp={(e) => {
        if (!drag) return;
        const p = toDoc(e);
        const pts = tool === "lasso" ? [...drag, p] : [drag[0], p];
        setDrag(null);
        const sel = buildSelection(tool, pts, feather, image);
        onSelect(sel);
        if (!sel) draw(null);
      }}
    />
  );
}
