// A broker run as its own process (`main`, through ts-node), optionally inside a command such as
// `unshare …`: its output lines are collected, and it is ready once it prints its address.

import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { until } from "../broker/helpers";

export interface BrokerProcess {
  url: string;
  p: ChildProcess;
  out: string[];
  /** The JSON log lines so far. */
  events(): Record<string, unknown>[];
}

const ROOT = path.join(__dirname, "..", "..");
const MAIN = 'require("./src/broker/main").main(process.argv.slice(1)).catch((e)=>{console.error(e.message);process.exit(1)})';

/** The command line that runs the broker (for wrapping in a shell command). */
export function brokerCommand(): string[] {
  return [process.execPath, "-r", "ts-node/register/transpile-only", "-e", MAIN];
}

/** The environment a broker child needs besides its own settings. */
export function brokerEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", TS_NODE_COMPILER_OPTIONS: '{"module":"commonjs"}', TS_NODE_PROJECT: "tsconfig.json", ...env };
}

/** Spawn `command` (default: the broker itself) and wait for the broker's address. */
export function startBrokerProcess(
  env: Record<string, string>,
  command: string[] = brokerCommand(),
  children?: { p: ChildProcess; out: string[] }[],
): Promise<BrokerProcess> {
  const p = spawn(command[0], command.slice(1), { cwd: ROOT, env: brokerEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  let text = "";
  const onData = (c: Buffer) => {
    text += c.toString();
    const lines = text.split("\n");
    text = lines.pop()!;
    out.push(...lines);
  };
  p.stdout!.on("data", onData);
  p.stderr!.on("data", onData);
  children?.push({ p, out });
  const events = () => out.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  return until(
    () => {
      if (p.exitCode !== null) throw new Error(`broker exited: ${out.join("\n")}`);
      const m = out.map((l) => /address:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(l)).find(Boolean);
      return m ? { url: m[1], p, out, events } : undefined;
    },
    "a broker to start",
    1200,
    50,
  );
}
