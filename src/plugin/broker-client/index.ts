export { BrokerError, createBrokerClient, type BrokerClient, type HttpBrokerClientOptions, type StatusAnswer } from "./client";
