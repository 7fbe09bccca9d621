// The broker as pid 1 (as in every container), in its own pid namespace: killed with SIGKILL it
// leaves its lock behind, recording pid 1, and a new broker started the same way (pid 1 again) on
// the same data folder starts and keeps the accepted jobs; while a broker runs, a second one on
// its folder is refused, from another pid namespace too.

import { spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseOwner } from "../../src/broker/store/data-lock";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, registerSecret, tmpDir } from "../broker/helpers";
import { brokerCommand, startBrokerProcess } from "./broker-process";

const KEY = `ifk_pid1_${randomBytes(12).toString("hex")}`;
const canUnshare = process.platform === "linux" && spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;

let ff: FakeFirefly;
const children: { p: ChildProcess; out: string[] }[] = [];

afterAll(async () => {
  for (const c of children) c.p.kill("SIGKILL");
  ff?.tokens.forEach(registerSecret);
  await ff?.close();
});

(canUnshare ? test : test.skip)(
  "SIGKILL of the broker as pid 1, then a new pid 1 on the same folder: it starts; a second live broker is refused",
  async () => {
    ff = await startFakeFirefly();
    const dir = tmpDir("infill-pid1-");
    const data = path.join(dir, "data");
    const keysFile = path.join(dir, "keys.json");
    fs.writeFileSync(keysFile, JSON.stringify({ keys: [{ name: "ann", key: KEY }] }));
    registerSecret(KEY);
    const env = { ...ff.env(), HOME: dir, INFILL_PORT: "0", INFILL_CONFIG_DIR: path.join(dir, "config"), INFILL_DATA_DIR: data, INFILL_KEYS_FILE: keysFile };
    // --kill-child: when unshare is killed, the kernel sends SIGKILL to its child, the broker (pid 1 inside).
    const asPidOne = ["unshare", "--pid", "--kill-child", "--mount-proc", ...brokerCommand()];
    const lockOwner = () => parseOwner(fs.readFileSync(path.join(data, "broker-store.jsonl.lock"), "utf8"));

    const first = await startBrokerProcess(env, asPidOne, children);
    expect(lockOwner()?.pid).toBe(1);
    const r = await call(first.url, "POST", "/v3/images/generate-async", { key: KEY, body: { prompt: "kept" } });
    expect(r.status).toBe(202);

    // A second broker, pid 1 of another namespace, on the same folder: refused.
    await expect(startBrokerProcess(env, asPidOne, children)).rejects.toThrow(/another broker \(pid 1\) is using/);

    first.p.kill("SIGKILL");
    await new Promise((res) => (first.p.exitCode !== null ? res(undefined) : first.p.once("exit", res)));
    await expect(call(first.url, "GET", "/health")).rejects.toThrow();
    expect(lockOwner()?.pid).toBe(1); // left behind by the killed broker

    const second = await startBrokerProcess(env, asPidOne, children);
    expect((await call(second.url, "GET", `/v3/status/${r.json.jobId}`, { key: KEY })).status).toBe(200);
    expect(lockOwner()?.pid).toBe(1);
  },
  60_000,
);
