// One broker for the benches, in its own process, configured by its environment as
// `infill-broker` is. Log lines are produced, redacted, serialised and written as in production
// (pino's asynchronous destination, log.ts fdSink), then written to the null device. Bench-only settings:
//   BENCH_STATUS_INTERVAL_MS  the status-poll collapsing interval (0: every poll goes upstream);
//   BENCH_LOG_DIR             keep the log lines, in <dir>/broker-<pid>.log (to see where a poll's time goes);
// Asks it answers: "cpu", and "providerJobs" (ids → the upstream job ids, once all are submitted).
import * as fs from "fs";
import * as os from "os";
import { loadConfig } from "../../src/broker/config";
import { fdSink } from "../../src/broker/log";
import { startBroker } from "../../src/broker/server";
import { answerAsks } from "./procs";

void (async () => {
  const config = loadConfig(process.env);
  const interval = process.env.BENCH_STATUS_INTERVAL_MS;
  if (interval !== undefined && interval !== "") config.statusMinIntervalMs = Number(interval);
  const logDir = process.env.BENCH_LOG_DIR;
  const devnull = fs.openSync(logDir ? `${logDir}/broker-${process.pid}.log` : os.devNull, "w");
  const broker = await startBroker({ config, logSink: fdSink(devnull) });
  answerAsks(
    {
      providerJobs: async (ids) => {
        for (;;) {
          const jobs = await Promise.all((ids as string[]).map((id) => broker.store.getJob(id)));
          if (jobs.every((j) => j?.state === "submitted")) return jobs.map((j) => j!.providerJobId!);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      upstreamStatusCalls: () => broker.jobs.upstreamStatusCalls,
    },
    () => broker.close(),
  );
  process.send!({ url: broker.url });
})();
