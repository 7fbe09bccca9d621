// More like this from a placed Generate variation, in the playground against the broker in Firefly
// mode pointed at the in-repo fake Firefly: two new variations placed like Generate's, their seeds
// shown, and the source variation's layer still in the document.

import { screenshot, collectErrors } from "./support/browser";
import { plainOutputFirefly, usePlaygroundSession } from "./support/session";
import { activeDoc, openPlayground, openSample, setVariations, waitForJob, type DocInfo } from "./support/playground";

jest.setTimeout(300000);

const pg = usePlaygroundSession({ firefly: plainOutputFirefly(200, 90, 40) });

/** The layers a job placed: its group and the group's children, as shapes that do not depend on ids or names. */
function placedBy(doc: DocInfo, groupId: number | undefined) {
  const group = doc.layers.find((l) => l.id === groupId);
  const children = doc.layers.filter((l) => l.parentId === groupId);
  return {
    group: group && { kind: group.kind, parentId: group.parentId, hasMask: group.hasMask },
    children: children.map((l) => ({ kind: l.kind, hasMask: l.hasMask })),
    names: children.map((l) => l.name),
  };
}

test("More like this on a Generate variation places two more like Generate's and keeps the source", async () => {
  const errors = collectErrors(pg.page);
  const panel = await openPlayground(pg.page, pg.broker.url, pg.broker.key);
  await pg.page.getByTestId("engine-badge").getByText("Engine: Firefly").waitFor();
  await openSample(pg.page, "beach");

  await panel.getByRole("tab", { name: "Generate" }).click();
  await panel.getByTestId("engine-status").getByText("Firefly").waitFor({ timeout: 60000 });
  await setVariations(panel, "generate", 2);
  const prompt = panel.getByRole("textbox", { name: /^Prompt/ });
  await prompt.fill("a red kite over the beach");
  await prompt.press("Enter");
  const gen = await waitForJob(pg.page, ["done", "failed", "kept"]);
  expect(gen.error).toBeUndefined();
  expect(gen.phase).toBe("done");
  expect(gen.variations).toHaveLength(2);
  const source = gen.variations[1];
  const before = await activeDoc(pg.page);
  expect(before.layers.some((l) => l.id === source.layerId)).toBe(true);

  const card = panel.locator(`[data-job-id="${gen.jobId}"]`);
  const count = card.getByRole("textbox", { name: "How many more" });
  await count.fill("2");
  await count.press("Tab");
  await card.getByTestId("more-like-1").click();
  const sim = await waitForJob(pg.page, ["done", "failed", "kept"], { ignore: [gen.jobId] });
  expect(sim.error).toBeUndefined();
  expect([sim.kind, sim.phase, sim.params]).toEqual([
    "similar",
    "done",
    { kind: "similar", source: "document", numVariations: 2, modelVersion: "image4_standard" },
  ]);
  expect(sim.variations).toHaveLength(2);

  const submits = pg.ff.calls.filter((c) => c.route === "submit" && c.status === 202);
  expect(submits.map((c) => c.endpoint)).toEqual(["generate", "similar"]);
  const body = submits[1].body as { numVariations: number; seeds: number[]; image: { source: { uploadId: string } } };
  expect(body.numVariations).toBe(2);
  expect(body.seeds).toEqual(sim.variations.map((v) => v.seed));

  // Placed like Generate's: a new group of the same shape at the same level, two pixel layers in it.
  const after = await activeDoc(pg.page);
  const genShape = placedBy(after, gen.groupLayerId);
  const simShape = placedBy(after, sim.groupLayerId);
  expect(simShape.group).toEqual(genShape.group);
  expect(simShape.children).toEqual(genShape.children);
  expect(simShape.children).toHaveLength(2);
  expect(simShape.names.sort()).toEqual(sim.variations.map((v) => `Similar ${v.index + 1} (seed ${v.seed})`).sort());
  expect(after.layers.length).toBe(before.layers.length + 3);
  expect(after.history).toEqual([...before.history, "Infill: Show Variation", "Infill: Similar"]);
  expect(sim.variations.map((v) => v.visible)).toEqual(gen.variations.map((v) => v.visible));

  // The source variation is still there, shown, under the new results.
  const kept = after.layers.find((l) => l.id === source.layerId);
  expect(kept).toMatchObject({ parentId: gen.groupLayerId, visible: true });
  expect(after.layers.filter((l) => l.parentId === gen.groupLayerId)).toHaveLength(2);

  // The seeds are shown in the new job's card.
  const simCard = panel.locator(`[data-job-id="${sim.jobId}"]`);
  for (const v of sim.variations) expect(await simCard.getByTestId(`variation-seed-${v.index}`).textContent()).toBe(`Seed ${v.seed}`);
  await simCard.scrollIntoViewIfNeeded();
  await screenshot(pg.page, "similar-more-like-this");
  expect(errors).toEqual([]);
});
