// The host check's access to Photoshop and UXP: a scratch document per depth, made, probed and
// closed without saving inside one modal scope (never one of the artist's documents), and the UXP
// runtime as the runtime probes read it.

import { action, app, core, imaging } from "photoshop";
import { host as uxpHost, storage, versions as uxpVersions } from "uxp";
import type { Rect } from "../../common/host";
import type { HostCheckHost, PixelsRead, RuntimeEnv, ScratchDoc } from "../hostcheck";
import { errorText, isHostBusy } from "./modal";
import { samplesForDepth } from "./pixels";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const px = (v: number) => ({ _unit: "pixelsUnit", _value: v });
const SELECTION = [{ _ref: "channel", _property: "selection" }];

async function play(descriptors: object[]): Promise<void> {
  const results = (await action.batchPlay(descriptors as Any, {})) as Array<{ _obj?: string; message?: unknown }>;
  const bad = results.find((r) => r?._obj === "error");
  if (bad) throw new Error(`batchPlay: ${String(bad.message)}`);
}

function scratch(doc: Any, bits: 8 | 16 | 32, ctx: Any): ScratchDoc {
  const documentID = doc.id as number;
  const layer = (id: number) => {
    const l = doc.layers && findLayer(doc.layers, id);
    if (!l) throw new Error(`layer ${id} not found`);
    return l;
  };
  const read = async (result: Any): Promise<PixelsRead> => {
    const img = result.imageData;
    try {
      const data = await img.getData({ chunky: true });
      return { width: img.width, height: img.height, components: img.components, data, sourceBounds: result.sourceBounds };
    } finally {
      img.dispose();
    }
  };
  return {
    id: documentID,
    bits,
    async newLayer(name) {
      return (await doc.createPixelLayer({ name })).id;
    },
    async putPixels(layerID, data, width, height, at) {
      const imageData = await imaging.createImageDataFromBuffer(data as Any, { width, height, components: 4, colorSpace: "RGB", chunky: true } as Any);
      try {
        await imaging.putPixels({ documentID, layerID, imageData, targetBounds: at, replace: true } as Any);
      } finally {
        imageData.dispose();
      }
    },
    async getPixels(layerID, bounds, targetSize) {
      return read(
        await imaging.getPixels({
          documentID,
          layerID,
          sourceBounds: bounds,
          componentSize: bits,
          applyAlpha: false,
          ...(targetSize ? { targetSize } : {}),
        } as Any),
      );
    },
    async getSelection(bounds) {
      let result: Any;
      try {
        result = await imaging.getSelection({ documentID, sourceBounds: bounds } as Any);
      } catch {
        return "threw";
      }
      const r = await read(result);
      return Uint8Array.from(r.data as ArrayLike<number>);
    },
    async selectEllipse(b: Rect) {
      await play([
        {
          _obj: "set",
          _target: SELECTION,
          to: { _obj: "ellipse", top: px(b.top), left: px(b.left), bottom: px(b.bottom), right: px(b.right) },
          antiAlias: false,
        },
      ]);
    },
    async deselect() {
      await play([{ _obj: "set", _target: SELECTION, to: { _enum: "ordinal", _value: "none" } }]);
    },
    async putLayerMask(layerID, gray, bounds) {
      await play([
        {
          _obj: "select",
          _target: [
            { _ref: "layer", _id: layerID },
            { _ref: "document", _id: documentID },
          ],
          makeVisible: false,
        },
        {
          _obj: "make",
          new: { _class: "channel" },
          at: { _ref: "channel", _enum: "channel", _value: "mask" },
          using: { _enum: "userMaskEnabled", _value: "hideAll" },
        },
      ]);
      const width = bounds.right - bounds.left;
      const height = bounds.bottom - bounds.top;
      const imageData = await imaging.createImageDataFromBuffer(
        samplesForDepth(gray, bits, 1) as Any,
        { width, height, components: 1, colorSpace: "Grayscale", chunky: true } as Any,
      );
      try {
        await imaging.putLayerMask({
          documentID,
          layerID,
          kind: "user",
          imageData,
          replace: false,
          targetBounds: { left: bounds.left, top: bounds.top, width, height },
        } as Any);
      } finally {
        imageData.dispose();
      }
    },
    async getLayerMask(layerID, bounds) {
      const r = await read(await (imaging as Any).getLayerMask({ documentID, layerID, kind: "user", sourceBounds: bounds }));
      // Back to 0..255 from the document's depth (16-bit 0..32768, 32-bit 0..1).
      const scale = r.data instanceof Uint16Array ? 255 / 32768 : r.data instanceof Float32Array ? 255 : 1;
      return Uint8Array.from(r.data as ArrayLike<number>, (v) => Math.round(v * scale));
    },
    async historyNames() {
      return Array.from(doc.historyStates ?? [], (h: Any) => String(h.name));
    },
    async changeAndRollBack(change) {
      const s = await ctx.hostControl.suspendHistory({ documentID, name: "Infill host check" });
      try {
        await change();
      } finally {
        await ctx.hostControl.resumeHistory(s, false);
      }
    },
    async resizeCanvas(width, height, anchor) {
      await doc.resizeCanvas(width, height, anchor);
    },
    async size() {
      return { width: doc.width, height: doc.height };
    },
    async layerBounds(layerID) {
      const b = layer(layerID).boundsNoEffects;
      return { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
    },
    async newGroup(name) {
      return (await doc.createLayerGroup({ name })).id;
    },
    async moveInto(layerID, groupID) {
      layer(layerID).move(layer(groupID), "placeInside");
    },
    async parentOf(layerID) {
      return layer(layerID).parent?.id ?? null;
    },
    async moveAbove(layerID, targetID) {
      layer(layerID).move(layer(targetID), "placeBefore");
    },
    async siblingsOf(layerID) {
      const parent = layer(layerID).parent;
      return Array.from((parent ? parent.layers : doc.layers) ?? [], (l: Any) => l.id as number);
    },
    async busyError() {
      try {
        await core.executeAsModal(async () => undefined, { commandName: "Infill host check (busy)" });
        return null;
      } catch (e) {
        return { number: (e as { number?: unknown })?.number, message: errorText(e), recognised: isHostBusy(e) };
      }
    },
  };
}

function findLayer(layers: Any[], id: number): Any | null {
  for (const l of layers) {
    if (l.id === id) return l;
    const inner = l.layers ? findLayer(l.layers, id) : null;
    if (inner) return inner;
  }
  return null;
}

export function createHostCheckHost(os: () => string = () => "unknown"): HostCheckHost {
  return {
    versions() {
      let plugin = "unknown";
      let uxp = "unknown";
      try {
        plugin = uxpVersions.plugin;
        uxp = uxpVersions.uxp;
      } catch {
        // older UXP
      }
      return { photoshop: uxpHost?.version ?? "unknown", uxp, os: os(), plugin };
    },
    async withScratch(bits, width, height, use) {
      return core.executeAsModal(
        async (ctx: Any) => {
          const doc: Any = await (app.documents as Any).add({
            width,
            height,
            resolution: 72,
            mode: "RGBColorMode",
            fill: "transparent",
            depth: bits,
            name: `Infill host check ${bits}-bit`,
          });
          try {
            return await use(scratch(doc, bits, ctx));
          } finally {
            await doc.closeWithoutSaving();
          }
        },
        { commandName: "Infill host check" },
      );
    },
  };
}

/** The UXP runtime as the runtime probes read it; `messageShapes` comes from the webview bridge. */
export function createRuntimeEnv(globals: Record<string, unknown>, messageShapes: () => string[], probeUrl: string, waitMs = 3000): RuntimeEnv {
  return {
    globals,
    async secureRoundTrip(name, value) {
      const s = storage.secureStorage;
      await s.setItem(name, value);
      try {
        const back = (await s.getItem(name)) as unknown;
        return back == null ? null : back instanceof Uint8Array ? back : new Uint8Array(back as ArrayBuffer);
      } finally {
        await s.removeItem(name).catch(() => undefined);
      }
    },
    async fetchAfterAbort() {
      const f = globals.fetch as typeof fetch | undefined;
      const AC = globals.AbortController as typeof AbortController | undefined;
      if (!f || !AC) return "no_answer";
      const c = new AC();
      c.abort();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"no_answer">((r) => (timer = setTimeout(() => r("no_answer"), waitMs)));
      const asked = f(probeUrl, { signal: c.signal }).then(
        () => "answered" as const,
        (e: unknown) => ((e as { name?: unknown })?.name === "AbortError" ? ("rejected" as const) : ("answered" as const)),
      );
      return Promise.race([asked, late]).finally(() => clearTimeout(timer));
    },
    messageShapes,
  };
}

export const HOST_CHECK_FILE = "host-check.json";

/** Writes the report to the plugin data folder; the file's name. */
export async function saveHostCheckReport(report: object): Promise<string> {
  const folder = await storage.localFileSystem.getDataFolder();
  const file = await folder.createFile(HOST_CHECK_FILE, { overwrite: true });
  await file.write(JSON.stringify(report, null, 2), { format: storage.formats.utf8 });
  return HOST_CHECK_FILE;
}
