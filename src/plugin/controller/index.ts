export { HostController, createHostController, type ControllerOptions, type ThemeSource, type Workflows } from "./controller";
export { describeError } from "./errors";
export { serializeHost } from "./serial-host";
export { lazyBroker } from "./lazy-broker";
export { unsupportedReason } from "./support";
