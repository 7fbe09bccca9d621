// Document probes on a scratch document: history rollback, canvas anchors, groups (moving into one,
// and above a layer inside one), the busy error.

import type { DocProbe } from "./imaging-probes";
import { guarded } from "./outcome";

const fmt = (r: { left: number; top: number; right: number; bottom: number }) => `${r.left},${r.top},${r.right},${r.bottom}`;

export const documentProbes: DocProbe[] = [
  {
    id: "documents.history-rollback",
    group: "documents",
    bits: 8,
    expected: "suspendHistory + resumeHistory with rollback leaves the history list unchanged",
    run: (doc) =>
      guarded(async () => {
        const before = await doc.historyNames();
        await doc.changeAndRollBack(async () => {
          const layer = await doc.newLayer("rolled back");
          await doc.putPixels(layer, new Uint8Array([1, 2, 3, 255]), 1, 1, { left: 0, top: 0 });
        });
        const after = await doc.historyNames();
        const observed = `${before.length} states before, ${after.length} after`;
        return JSON.stringify(before) === JSON.stringify(after)
          ? { verdict: "pass", observed }
          : { verdict: "fail", observed: `${observed}: ${after.slice(before.length).join(", ") || "list changed"}` };
      }),
  },
  {
    id: "documents.resize-anchors",
    group: "documents",
    bits: 8,
    expected: "resizeCanvas gives the exact size; top-left keeps layers in place, bottom-right moves them by the growth",
    run: (doc) =>
      guarded(async () => {
        const layer = await doc.newLayer("anchor");
        await doc.putPixels(layer, new Uint8Array(4 * 4 * 4).fill(255), 4, 4, { left: 10, top: 10 });
        const start = await doc.size();
        await doc.resizeCanvas(start.width + 20, start.height + 10, "top-left");
        const s1 = await doc.size();
        const b1 = await doc.layerBounds(layer);
        await doc.resizeCanvas(s1.width + 6, s1.height + 4, "bottom-right");
        const s2 = await doc.size();
        const b2 = await doc.layerBounds(layer);
        const observed = `sizes ${s1.width}×${s1.height}, ${s2.width}×${s2.height}; layer ${fmt(b1)} then ${fmt(b2)}`;
        const ok =
          s1.width === start.width + 20 &&
          s1.height === start.height + 10 &&
          s2.width === s1.width + 6 &&
          s2.height === s1.height + 4 &&
          fmt(b1) === "10,10,14,14" &&
          fmt(b2) === "16,14,20,18";
        return { verdict: ok ? "pass" : "fail", observed };
      }),
  },
  {
    id: "documents.move-into-group",
    group: "documents",
    bits: 8,
    expected: "a layer moved inside a group has that group as parent",
    run: (doc) =>
      guarded(async () => {
        const layer = await doc.newLayer("moved");
        const group = await doc.newGroup("group");
        await doc.moveInto(layer, group);
        const parent = await doc.parentOf(layer);
        return parent === group ? { verdict: "pass", observed: "inside the group" } : { verdict: "fail", observed: `parent ${parent ?? "document"}` };
      }),
  },
  {
    id: "documents.move-above-in-group",
    group: "documents",
    bits: 8,
    expected: "a group moved with placeBefore a layer inside a group lands in that group, directly above the layer",
    run: (doc) =>
      guarded(async () => {
        // A holder group with three layers; the results group must end up in it, right above "object",
        // the others keeping their order (whatever order moving them in gave).
        const holder = await doc.newGroup("holder");
        const ids: Record<string, number> = { holder };
        for (const name of ["under", "object", "cover"]) {
          ids[name] = await doc.newLayer(name);
          await doc.moveInto(ids[name], holder);
        }
        ids.results = await doc.newGroup("results");
        const others = (await doc.siblingsOf(ids.object)).filter((id) => id !== ids.results);
        await doc.moveAbove(ids.results, ids.object);
        const parent = await doc.parentOf(ids.results);
        const name = (id: number) => Object.keys(ids).find((n) => ids[n] === id) ?? String(id);
        const got = (await doc.siblingsOf(ids.results)).map(name);
        const want = others.flatMap((id) => (id === ids.object ? [ids.results, id] : [id])).map(name);
        const observed = `in ${parent === holder ? "the holder" : parent === null ? "the document" : `layer ${parent}`}: ${got.join(", ")}`;
        const ok = parent === holder && got.join(",") === want.join(",");
        return { verdict: ok ? "pass" : "fail", observed };
      }),
  },
  {
    id: "documents.busy-error",
    group: "documents",
    bits: 8,
    expected: "a modal call made while the check holds the modal state either runs (nested) or fails with an error Infill recognises as busy",
    run: (doc) =>
      guarded(async () => {
        const e = await doc.busyError();
        if (!e) return { verdict: "info", observed: "no error: the nested modal call ran", branch: "nested modal call runs" };
        const observed = `number ${String(e.number ?? "none")}, "${e.message.slice(0, 120)}"`;
        return !e.recognised ? { verdict: "fail", observed } : { verdict: "pass", observed, branch: "busy error recognised" };
      }),
  },
];
