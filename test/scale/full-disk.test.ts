// A full disk under a real broker process: its data folder is a tiny tmpfs private to the broker
// (a mount namespace), filled while the broker runs and then grown. A submit answered with an
// error is never queued, never sent upstream and does not count toward the key's cap; a job that
// was on the wire when the disk filled is not reported as failed; once there is room again new
// submits work, and every accepted job is sent exactly once.

import { spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseJournal } from "../../src/broker/store/journal";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, capture, registerSecret, tmpDir, until } from "../broker/helpers";
import { brokerCommand, startBrokerProcess } from "./broker-process";

const KEY = `ifk_disk_${randomBytes(12).toString("hex")}`;
const CAP = 5;
const canUnshare = process.platform === "linux" && spawnSync("unshare", ["--mount", "true"]).status === 0;

let ff: FakeFirefly;
const children: { p: ChildProcess; out: string[] }[] = [];

afterAll(async () => {
  for (const c of children) c.p.kill("SIGKILL");
  ff?.tokens.forEach(registerSecret);
  await ff?.close();
});

/** Run a shell command in the broker's mount namespace (where its tmpfs is). */
function inNamespace(pid: number, script: string): void {
  const r = spawnSync("nsenter", ["-t", String(pid), "-m", "sh", "-c", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`nsenter: ${r.stderr}`);
}

// Prompts near the 1024-character limit: each journal line is over 1 KB, so the slack left at the
// end of the journal's last tmpfs page holds at most a few of them once the disk is full.
const prompt = (label: string) => `${label} `.padEnd(1000, "x");

(canUnshare ? test : test.skip)(
  "a full disk: refused submits are never sent, a job on the wire is not failed, growing the disk resumes",
  async () => {
    ff = await startFakeFirefly({ pollsToFinish: 1 });
    const dir = tmpDir("infill-disk-");
    const data = path.join(dir, "data");
    fs.mkdirSync(data);
    const keysFile = path.join(dir, "keys.json");
    fs.writeFileSync(keysFile, JSON.stringify({ keys: [{ name: "ann", key: KEY }] }));
    registerSecret(KEY);
    const env = {
      ...ff.env(),
      HOME: dir,
      INFILL_PORT: "0",
      INFILL_CONFIG_DIR: path.join(dir, "config"),
      INFILL_DATA_DIR: data,
      INFILL_KEYS_FILE: keysFile,
      INFILL_RATE_PER_MINUTE: "0",
      INFILL_MAX_QUEUED_PER_KEY: String(CAP),
    };
    const shell = `mount -t tmpfs -o size=256k,mode=0700 infill-disk "$1" && shift && exec "$@"`;
    const b = await startBrokerProcess(env, ["unshare", "--mount", "sh", "-c", shell, "sh", data, ...brokerCommand()], children);
    const pid = b.p.pid!;
    const submits = () => ff.calls.filter((c) => c.route === "submit");
    const submit = (label: string) => call(b.url, "POST", "/v3/images/generate-async", { key: KEY, body: { prompt: prompt(label) } });
    const status = (id: string) => call(b.url, "GET", `/v3/status/${id}`, { key: KEY });
    const accepted: { id: string; label: string }[] = [];

    // Room on the disk: jobs are accepted and sent.
    for (let i = 0; i < 3; i++) {
      const r = await submit(`before ${i}`);
      expect(r.status).toBe(202);
      accepted.push({ id: r.json.jobId, label: `before ${i}` });
    }
    await until(() => submits().length === 3, "3 submits upstream");

    // A job whose submit is on the wire when the disk fills: Adobe accepts it, the broker cannot write that down yet.
    ff.inject({ route: "submit", delayMs: 1500 });
    const wire = await submit("on the wire");
    expect(wire.status).toBe(202);
    accepted.push({ id: wire.json.jobId, label: "on the wire" });
    await until(() => submits().length === 4, "the delayed submit to reach upstream");
    inNamespace(pid, `cat /dev/zero > "${data}/filler" 2>/dev/null; true`);
    await until(() => submits()[3].status === 202, "upstream to accept the delayed submit", 400, 25);
    await until(
      () => b.events().some((e) => e.event === "submit" && e.jobId === wire.json.jobId) || b.events().some((e) => e.event === "store_write_failed"),
      "the broker to see the answer",
      400,
      25,
    );
    expect((await status(wire.json.jobId)).json.status).toBe("pending");

    // Twenty submits while the disk is full.
    const refused: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await submit(`full ${i}`);
      if (r.status === 202) accepted.push({ id: r.json.jobId, label: `full ${i}` });
      else {
        expect(r.status).toBeGreaterThanOrEqual(500);
        expect(r.json.error_code).toEqual(expect.any(String));
        refused.push(`full ${i}`);
      }
    }
    expect(refused.length).toBeGreaterThanOrEqual(16);
    expect(submits().length).toBe(4);
    expect((await status(wire.json.jobId)).json.status).toBe("pending");

    // Room again.
    inNamespace(pid, `mount -o remount,size=4m "${data}"`);
    await until(async () => ["running", "succeeded"].includes((await status(wire.json.jobId)).json.status), "the job on the wire to be recorded", 200, 50);
    // The refused submits hold no place in the queue: the whole cap is free for new ones.
    const queuedNow = accepted.length - 4;
    for (let i = 0; i < CAP - queuedNow; i++) {
      const r = await submit(`after ${i}`);
      expect(r.status).toBe(202);
      accepted.push({ id: r.json.jobId, label: `after ${i}` });
    }
    await until(() => submits().length === accepted.length, "every accepted job upstream", 400, 25);
    for (const j of accepted) {
      await until(async () => (await status(j.id)).json.status === "succeeded", `job ${j.label} to succeed`, 200, 25);
    }
    const sent = submits().map((c) => (c.body as { prompt: string }).prompt.trimEnd().replace(/ x+$/, ""));
    expect(sent.sort()).toEqual(accepted.map((j) => j.label).sort());
    for (const label of refused) expect(sent).not.toContain(label);
    // No refused write left part of a line behind: the journal reads clean from the first line to the last.
    const journal = spawnSync("nsenter", ["-t", String(pid), "-m", "cat", path.join(data, "broker-store.jsonl")], { encoding: "utf8", maxBuffer: 16 << 20 });
    const replay = parseJournal(journal.stdout);
    expect(replay).toMatchObject({ corrupt: [], tornTail: false });
    expect(replay.entries.length).toBeGreaterThan(accepted.length);
    capture.logs.push(...b.out.filter((l) => l.startsWith("{")));
  },
  60_000,
);
