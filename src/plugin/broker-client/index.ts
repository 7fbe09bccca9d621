export {
  BrokerError,
  createBrokerClient,
  type BrokerClient,
  type CroppedDownload,
  type HttpBrokerClientOptions,
  type PreviewEndpoint,
  type StatusAnswer,
} from "./client";
export { UPSCALE_MODEL, upscale } from "./upscale";
