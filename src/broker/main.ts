// `infill-broker` / `npm run broker` / `npm start`: load the configuration, start the broker,
// say what runs where and how to pair a panel; stop gracefully on SIGINT/SIGTERM (in-flight
// requests finish, queued jobs stay in the store for the next start).

import { ConfigError, loadConfig } from "./config";
import { startBroker } from "./server";
import { startupWarnings } from "./startup-checks";

const HELP = `infill-broker — the Infill token broker (Firefly v3 async API for broker-key holders)

  infill-broker                     start the broker
  infill-broker doctor [--generate] check the Firefly credentials without generating (--generate: one billed fill)

Environment (or a .env file in the current folder):
  FIREFLY_SERVICES_CLIENT_ID, FIREFLY_SERVICES_CLIENT_SECRET   Firefly mode (both) / local engine (neither)
  INFILL_PROVIDER=firefly|local     force a mode
  INFILL_HOST (127.0.0.1), INFILL_PORT (8765)
  INFILL_KEYS_FILE, INFILL_API_KEY  broker keys (otherwise one is created in the config folder)
  INFILL_RATE_PER_MINUTE (4), INFILL_RATE_PER_DAY (9000), INFILL_MAX_QUEUED_PER_KEY (20)
  INFILL_IMS_URL, INFILL_IMS_SCOPES, INFILL_FIREFLY_URL, INFILL_OUTPUT_HOSTS
  INFILL_ALLOWED_HOSTS, INFILL_CORS_ORIGINS, INFILL_PUBLIC_URL, INFILL_CONFIG_DIR, INFILL_DATA_DIR
`;

export async function main(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`infill-broker: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  for (const warning of startupWarnings(config, process.env)) process.stderr.write(`infill-broker: warning: ${warning}\n`);
  let broker;
  try {
    broker = await startBroker({ config });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof ConfigError) {
      process.stderr.write(`infill-broker: ${err.message}\n`);
      process.exit(2);
    }
    if (e.code === "EADDRINUSE") process.stderr.write(`infill-broker: ${config.host}:${config.port} is already in use (set INFILL_PORT)\n`);
    else if (e.code === "EACCES") process.stderr.write(`infill-broker: not allowed to listen on ${config.host}:${config.port} (set INFILL_PORT)\n`);
    else if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND")
      process.stderr.write(`infill-broker: INFILL_HOST ${config.host} is not an address of this machine\n`);
    else process.stderr.write(`infill-broker: could not start (${e.message})\n`);
    process.exit(1);
  }

  const lines = [
    "",
    `Infill broker ${broker.providerProblem ? "(local engine unavailable)" : ""}`.trim(),
    `  mode:       ${config.mode === "firefly" ? `firefly (${config.fireflyUrl}, ${config.ratePerMinute === Infinity ? "unpaced" : `${config.ratePerMinute}/min`})` : "local engine (no Firefly credentials)"}`,
    `  address:    ${broker.url}  (listening on ${config.host}:${broker.port})`,
    // With the generated key the playground address carries it after '#', which browsers never send
    // to a server: opening it pairs the playground's panel at once.
    `  playground: ${broker.url}/${config.keySource === "generated" && config.localKey ? `#key=${encodeURIComponent(config.localKey.key)}` : ""}`,
  ];
  if (broker.providerProblem) lines.push(`  note:       ${broker.providerProblem}`);
  if ((config.host === "0.0.0.0" || config.host === "::") && config.allowedHosts.length <= 3) {
    lines.push(
      "  note:       listening on all interfaces, but only localhost names are answered: set INFILL_ALLOWED_HOSTS (or INFILL_PUBLIC_URL) to the name clients use",
    );
  }
  lines.push("", "Pair a panel: in Infill › Settings set Broker URL to " + broker.url + " and Broker key to:");
  if (config.keySource === "generated" && config.localKey) {
    lines.push(`  ${config.localKey.key}`, `  (${config.localKey.created ? "created now and " : ""}stored owner-only in ${config.localKey.file})`);
  } else if (config.keySource === "keys-file") {
    lines.push(`  the key for your name in INFILL_KEYS_FILE (${config.keys.length} key${config.keys.length === 1 ? "" : "s"} loaded)`);
  } else {
    lines.push("  the value of INFILL_API_KEY");
  }
  lines.push("");
  process.stdout.write(lines.join("\n") + "\n");

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    broker.log.log({ event: "shutdown", signal });
    broker
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
