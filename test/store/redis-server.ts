// A real redis-server for tests and benches: loopback only, a free port, a temp dir, no persistence
// unless asked; stopped (and the dir removed) by `stop()`. `restart()` keeps the port and the dir,
// so clients reconnect (and a persisted data set comes back).

import { spawn, type ChildProcess } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as net from "net";
import { tmpdir } from "os";
import * as path from "path";

export const REDIS_SERVER = process.env.INFILL_TEST_REDIS_SERVER ?? "/usr/bin/redis-server";

export interface TestRedis {
  port: number;
  url: string;
  /** Kill the server (SIGKILL: like a crash or a lost network path). */
  kill(): Promise<void>;
  /** Freeze the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  /** Start again on the same port and dir (empty unless started with `persist`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** Append-only file with fsync on every write (as production should run), kept across restarts. */
  persist?: boolean;
}

function launch(port: number, dir: string, o: RedisServerOptions): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const durability = o.persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    const child = spawn(
      REDIS_SERVER,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...durability, "--dir", dir, "--protected-mode", "yes", "--loglevel", "warning"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start on port ${port}: ${out}`));
    }, 10_000);
    const poll = () => {
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.write("PING\r\n");
        sock.once("data", (d) => {
          sock.destroy();
          if (d.toString().startsWith("+PONG")) {
            clearTimeout(timer);
            resolve(child);
          } else setTimeout(poll, 20);
        });
      });
      sock.once("error", () => {
        sock.destroy();
        if (child.exitCode === null) setTimeout(poll, 20);
      });
    };
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) on port ${port}: ${out.trim()}`));
    });
    poll();
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

export async function startRedis(o: RedisServerOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), "infill-redis-"));
  let port = 0;
  let child: ChildProcess | undefined;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, o);
    } catch (err) {
      lastErr = err; // the port was taken between the probe and the start: try another
    }
  }
  if (!child) throw lastErr;
  let current: ChildProcess | undefined = child;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (current) await exited(current, "SIGKILL");
      current = undefined;
    },
    pause() {
      current?.kill("SIGSTOP");
    },
    resume() {
      current?.kill("SIGCONT");
    },
    async restart() {
      if (current) await exited(current, "SIGKILL");
      current = await launch(port, dir, o);
    },
    async stop() {
      current?.kill("SIGCONT");
      if (current) await exited(current, "SIGTERM");
      current = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
