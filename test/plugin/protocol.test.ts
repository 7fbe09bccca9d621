import { COMMAND_TYPES, createPortPair, decodeCommand, decodeEvent, makeCommand, makeEvent, PROTOCOL_VERSION, type Command } from "../../src/common/protocol";

const roundTrip = (msg: unknown) => JSON.parse(JSON.stringify(msg));

describe("protocol: commands", () => {
  const samples: Command[] = [
    makeCommand({ type: "hello", id: "1", panelVersion: "0.1.0" }),
    makeCommand({ type: "job.run", id: "2", params: { kind: "fill", numVariations: 3, prompt: "a boat" } }),
    makeCommand({
      type: "job.run",
      params: { kind: "expand", numVariations: 2, target: { kind: "sides", left: 10, top: 0, right: 30, bottom: 5 } },
    }),
    makeCommand({
      type: "job.run",
      params: { kind: "generate", numVariations: 1, prompt: "x", styleReference: { docId: 4, strength: 50 }, seeds: [7] },
    }),
    makeCommand({ type: "job.cancel", jobId: "j1" }),
    makeCommand({ type: "variation.select", jobId: "j1", index: 2 }),
    makeCommand({ type: "variation.keep", jobId: "j1", index: 0 }),
    makeCommand({ type: "variation.similar", jobId: "j1", index: 1, numVariations: 2 }),
    makeCommand({ type: "kept.reapply", jobId: "j1" }),
    makeCommand({ type: "kept.dismiss", jobId: "j1" }),
    makeCommand({ type: "jobs.list" }),
    makeCommand({ type: "documents.list" }),
    makeCommand({ type: "layers.list", docId: 3 }),
    makeCommand({ type: "settings.get" }),
    makeCommand({ type: "settings.set", settings: { brokerUrl: "http://localhost:8765", brokerKey: "k", prefs: { numVariations: 2 } } }),
    makeCommand({ type: "connection.test" }),
    makeCommand({ type: "models.list", id: "m1" }),
    makeCommand({ type: "thumbnail.get", docId: 2 }),
    makeCommand({ type: "thumbnail.get", id: "t1", docId: 2, layerId: 14 }),
    makeCommand({ type: "hostcheck.run", id: "h1" }),
    makeCommand({ type: "settings.pasteKey" }),
  ];

  test("every command type has a sample that survives a JSON round trip unchanged", () => {
    expect(new Set(samples.map((s) => s.type))).toEqual(new Set(COMMAND_TYPES));
    for (const s of samples) {
      const fromObject = decodeCommand(roundTrip(s));
      const fromString = decodeCommand(JSON.stringify(s));
      expect(fromObject).toEqual({ ok: true, message: s });
      expect(fromString).toEqual({ ok: true, message: s });
    }
  });

  test("fields added later to job params pass through instead of being stripped", () => {
    const d = decodeCommand(roundTrip(makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 1, future: 1 } as never })));
    expect(d.ok && d.message.type === "job.run" && (d.message.params as unknown as { future: number }).future).toBe(1);
  });

  test.each([
    ["not JSON", "{oops", "malformed"],
    ["a number", 42, "malformed"],
    ["null", null, "malformed"],
    ["an array", [1], "malformed"],
    ["another protocol", { protocol: "x", version: 1, type: "hello" }, "not_ours"],
    ["no type", { protocol: "infill", version: PROTOCOL_VERSION }, "unknown_type"],
    ["an unknown type", { protocol: "infill", version: PROTOCOL_VERSION, type: "format.disk" }, "unknown_type"],
    ["a prototype key as type", { protocol: "infill", version: PROTOCOL_VERSION, type: "constructor" }, "unknown_type"],
    ["too many variations", makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 9 } }), "invalid"],
    ["seeds not matching variations", makeCommand({ type: "job.run", params: { kind: "fill", numVariations: 2, seeds: [1] } }), "invalid"],
    [
      "generate without prompt",
      { ...makeCommand({ type: "job.run", params: { kind: "generate", numVariations: 1, prompt: "p" } }), params: { kind: "generate", numVariations: 1 } },
      "invalid",
    ],
    ["an empty key", makeCommand({ type: "settings.set", settings: { brokerKey: "" } }), "invalid"],
    ["a thumbnail without a document", { ...makeCommand({ type: "thumbnail.get", docId: 1 }), docId: undefined }, "invalid"],
    ["a thumbnail of a fractional layer", makeCommand({ type: "thumbnail.get", docId: 1, layerId: 1.5 }), "invalid"],
  ])("%s is answered with a protocol error, not a throw", (_name, raw, code) => {
    const d = decodeCommand(raw);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error).toMatchObject({ protocol: "infill", version: PROTOCOL_VERSION, type: "error", category: "protocol", code });
      expect(d.error.hint.length).toBeGreaterThan(0);
      expect(decodeEvent(roundTrip(d.error)).ok).toBe(true);
    }
  });

  test("version mismatch names both versions and answers the request id", () => {
    const d = decodeCommand({ protocol: "infill", version: 99, type: "hello", id: "abc" });
    expect(d).toEqual({
      ok: false,
      error: expect.objectContaining({ code: "version_mismatch", replyTo: "abc", detail: "expected protocol version 1, got 99" }),
    });
  });

  test("error details never echo submitted values (a key must not leak through an error)", () => {
    const d = decodeCommand({ ...makeCommand({ type: "settings.set", settings: {} }), settings: { brokerKey: "SECRET-123", brokerUrl: 5 } });
    expect(d.ok).toBe(false);
    expect(JSON.stringify(d)).not.toContain("SECRET-123");
  });
});

describe("protocol: events", () => {
  test("events round-trip and are checked on the panel side", () => {
    const events = [
      makeEvent({ type: "hello", pluginVersion: "0.1.0", hostApp: "photoshop", hostVersion: "26.0.0" }),
      makeEvent({
        type: "document.state",
        active: { id: 1, title: "a.psd", width: 10, height: 8, mode: "rgb", bitDepth: 8, resolution: 72, supported: true },
        selection: { bounds: { left: 0, top: 0, right: 4, bottom: 4 } },
      }),
      makeEvent({ type: "theme", theme: "dark", scheme: "dark" }),
      makeEvent({
        type: "settings",
        settings: { brokerUrl: "", hasKey: false, prefs: { lastPrompt: "", numVariations: 3, blend: { bandPx: 8, toneMatch: true }, history: [] } },
      }),
    ];
    for (const e of events) expect(decodeEvent(roundTrip(e))).toEqual({ ok: true, message: e });
    expect(decodeEvent({ protocol: "infill", version: 2, type: "theme" })).toMatchObject({ ok: false, error: { code: "version_mismatch" } });
    expect(decodeEvent(makeEvent({ type: "job.state", job: { jobId: 5 } as never }))).toMatchObject({ ok: false, error: { code: "invalid" } });
  });

  test("custom models, thumbnails and stale notices round-trip; malformed ones are refused", () => {
    const jpeg = "data:image/jpeg;base64,/9j/4AAQSkZJRg==";
    const good = [
      makeEvent({ type: "models", replyTo: "m1", models: [] }),
      makeEvent({
        type: "models",
        models: [
          { id: "urn:aaid:sc:VA6C2:1", name: "Warm", trainingMode: "style", baseModel: { name: "clio_v2", version: "2.0.0" }, modelVersion: "image3_custom" },
          {
            id: "urn:aaid:sc:VA6C2:2",
            name: "Mascot",
            trainingMode: "subject",
            modelVersion: "image4_custom",
            conceptId: "mascot_x",
            samplePrompt: "mascot_x on a beach",
          },
        ],
      }),
      makeEvent({ type: "thumbnail", replyTo: "t1", docId: 2, dataUrl: jpeg, width: 96, height: 72 }),
      makeEvent({ type: "thumbnail", docId: 2, layerId: 14, dataUrl: jpeg, width: 40, height: 96 }),
      makeEvent({ type: "thumbnail.stale", docId: 2 }),
      makeEvent({ type: "thumbnail.stale" }),
    ];
    for (const e of good) expect(decodeEvent(roundTrip(e))).toEqual({ ok: true, message: e });
    const bad = [
      makeEvent({ type: "models", models: [{ id: "", name: "x", modelVersion: "image3_custom" }] }),
      makeEvent({ type: "models", models: [{ id: "a", name: "x", modelVersion: "image4_ultra" as never }] }),
      makeEvent({ type: "models", models: "none" as never }),
      makeEvent({ type: "thumbnail", docId: 2, dataUrl: "data:image/png;base64,iVBOR", width: 10, height: 10 }),
      makeEvent({ type: "thumbnail", docId: 2, dataUrl: jpeg, width: 2048, height: 10 }),
      makeEvent({ type: "thumbnail", docId: 2, dataUrl: jpeg + "A".repeat(200_001), width: 10, height: 10 }),
      makeEvent({ type: "thumbnail.stale", docId: "2" as never }),
    ];
    for (const e of bad) expect(decodeEvent(roundTrip(e))).toMatchObject({ ok: false, error: { category: "protocol", code: "invalid" } });
  });

  test("the in-memory port pair delivers JSON copies to the other side only", async () => {
    const [a, b] = createPortPair();
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    a.onMessage((m) => gotA.push(m));
    const off = b.onMessage((m) => gotB.push(m));
    const msg = { x: [1, 2], when: undefined };
    a.post(msg);
    await Promise.resolve();
    expect(gotB).toEqual([{ x: [1, 2] }]);
    expect(gotB[0]).not.toBe(msg);
    expect(gotA).toEqual([]);
    off();
    a.post({ y: 1 });
    await Promise.resolve();
    expect(gotB).toHaveLength(1);
  });
});
