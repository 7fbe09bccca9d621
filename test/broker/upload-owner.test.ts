// Upload ids belong to the key that uploaded them: another key's fill naming them is refused
// before anything is queued or sent, exactly like an unknown id, and no log line holds an upload id.

import { startFakeFirefly, type FakeFirefly, ONE_PIXEL_PNG } from "../fakes/firefly";
import { call, fillBody, KEY_A, KEY_B, registerSecret, startTestBroker, type TestBroker, until } from "./helpers";

let ff: FakeFirefly;
let b: TestBroker;

beforeAll(async () => {
  ff = await startFakeFirefly();
  b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "0" });
});
afterAll(async () => {
  ff?.tokens.forEach(registerSecret);
  await b?.close();
  await ff?.close();
});

async function upload(key: string): Promise<string> {
  const r = await call(b.url, "POST", "/v2/storage/image", { key, body: ONE_PIXEL_PNG, headers: { "content-type": "image/png" } });
  expect(r.status).toBe(200);
  return r.json.images[0].id;
}

const submits = () => ff.calls.filter((c) => c.route === "submit").length;

test("another key cannot fill with someone's upload ids; the owner can", async () => {
  const image = await upload(KEY_A);
  const mask = await upload(KEY_A);
  const own = await upload(KEY_B);

  const stolen = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_B, body: fillBody(image, own) });
  expect(stolen.status).toBe(422);
  expect(stolen.json).toMatchObject({ error_code: "validation_error", category: "invalid_input" });
  expect(stolen.json.validation_errors.map((e: { loc: unknown[] }) => e.loc)).toEqual([["body", "image", "source", "uploadId"]]);
  // Never uploaded anywhere: the same answer, so a refusal tells nothing about other keys' uploads.
  const unknown = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_B, body: fillBody("0d4a8b0e-1111-4222-8333-444455556666", own) });
  expect(unknown.status).toBe(422);
  expect(unknown.json.message).toBe(stolen.json.message);
  expect(JSON.stringify(stolen.json)).not.toContain(image);
  expect(submits()).toBe(0);

  const mine = await call(b.url, "POST", "/v3/images/fill-async", { key: KEY_A, body: fillBody(image, mask) });
  expect(mine.status).toBe(202);
  await until(() => submits() === 1, "the owner's fill upstream");
  for (const id of [image, mask, own]) expect(b.logs.filter((l) => l.includes(id))).toEqual([]);
});
