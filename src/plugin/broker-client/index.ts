export { BrokerError, createBrokerClient, type BrokerClient, type CroppedDownload, type HttpBrokerClientOptions, type StatusAnswer } from "./client";
export { UPSCALE_MODEL, upscale } from "./upscale";
