// The panel⇄host message protocol: JSON messages, typed and versioned, checked at runtime on arrival.
//
// Commands (panel → host): hello, job.run, job.cancel, variation.select, variation.keep, variation.similar, kept.reapply,
//   kept.dismiss, jobs.list, documents.list, layers.list, settings.get, settings.set, connection.test,
//   models.list, thumbnail.get, hostcheck.run, settings.pasteKey.
// Events (host → panel): hello, document.state, documents, layers, job.accepted, job.state, jobs,
//   job.removed, settings, connection.result, hostcheck.report, models, thumbnail, thumbnail.stale,
//   quota, theme, error.

export * from "./version";
export * from "./params-schema";
export * from "./settings-schema";
export * from "./hostcheck-schema";
export * from "./quota-schema";
export * from "./commands";
export * from "./events";
export * from "./codec";
export * from "./port";
