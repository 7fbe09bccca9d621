// One broker instance for the scale bench, in its own process (configured by its environment,
// as `infill-broker` is). Logs are produced and serialised as in production, then discarded.
import * as fs from "fs";
import * as os from "os";
import { loadConfig } from "../../src/broker/config";
import { startBroker } from "../../src/broker/server";

void (async () => {
  const config = loadConfig(process.env);
  const devnull = fs.openSync(os.devNull, "w");
  const broker = await startBroker({ config, logSink: (line) => fs.writeSync(devnull, line + "\n") });
  process.send!({ url: broker.url });
  process.on("disconnect", () => void broker.close().then(() => process.exit(0)));
})();
