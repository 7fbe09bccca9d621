export { SimHost, type NewDocumentOptions, type FaultPlan } from "./host";
export type { DocState, SimLayer, SimDocument } from "./state";
export { MAX16 } from "./pixels";
