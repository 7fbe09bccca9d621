// The Firefly v3 async contract shared by the broker, the plugin's broker client, the local engine and
// the test fakes: request/response schemas with runtime validation, limits, Retry-After, error classes.
export * from "./limits";
export * from "./requests";
export * from "./responses";
export * from "./retry-after";
export * from "./headers";
export * from "./classify";
export * from "./upscale";
export * from "./composite";
