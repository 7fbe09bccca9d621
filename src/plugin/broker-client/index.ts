export {
  BrokerError,
  createBrokerClient,
  type BrokerClient,
  type CroppedDownload,
  type HttpBrokerClientOptions,
  type PreviewEndpoint,
  type StatusAnswer,
  type Submitted,
} from "./client";
export { UPSCALE_MODEL, upscale } from "./upscale";
