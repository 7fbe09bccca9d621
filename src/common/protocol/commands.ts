// Commands: panel → host. Each is an envelope { protocol, version, id?, type, ...payload }.
// `id` is the panel's request id; every event answering a command carries it back as `replyTo`.

import { z } from "zod";
import { jobParamsSchema } from "./params-schema";
import { settingsPatchSchema } from "./settings-schema";
import { PROTOCOL_NAME, PROTOCOL_VERSION } from "./version";

const envelope = {
  protocol: z.literal(PROTOCOL_NAME),
  version: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).max(100).optional(),
};
const jobId = z.string().min(1).max(200);
const index = z.number().int().min(0).max(3);

export const commandSchemas = {
  /** The panel is ready: the host answers hello, settings, theme, document state and current jobs. */
  hello: z.object({ ...envelope, type: z.literal("hello"), panelVersion: z.string().max(50).optional() }),
  "job.run": z.object({ ...envelope, type: z.literal("job.run"), params: jobParamsSchema }),
  "job.cancel": z.object({ ...envelope, type: z.literal("job.cancel"), jobId }),
  /** Show variation `index` of a placed job (the others hidden). */
  "variation.select": z.object({ ...envelope, type: z.literal("variation.select"), jobId, index }),
  /** Keep variation `index`, delete the others. */
  "variation.keep": z.object({ ...envelope, type: z.literal("variation.keep"), jobId, index }),
  /**
   * More like this: show variation `index` of a placed job, then run a `similar` job on the area it
   * covers (the whole document, or the selection when the job covered one) with `numVariations` results.
   * Answered like `job.run`; the source variation's layer stays.
   */
  "variation.similar": z.object({ ...envelope, type: z.literal("variation.similar"), jobId, index, numVariations: z.number().int().min(1).max(4) }),
  /** Place a kept (downloaded but unplaced) job's results again. */
  "kept.reapply": z.object({ ...envelope, type: z.literal("kept.reapply"), jobId }),
  /** Forget a kept job's results. */
  "kept.dismiss": z.object({ ...envelope, type: z.literal("kept.dismiss"), jobId }),
  "jobs.list": z.object({ ...envelope, type: z.literal("jobs.list") }),
  "documents.list": z.object({ ...envelope, type: z.literal("documents.list") }),
  "layers.list": z.object({ ...envelope, type: z.literal("layers.list"), docId: z.number().int() }),
  "settings.get": z.object({ ...envelope, type: z.literal("settings.get") }),
  "settings.set": z.object({ ...envelope, type: z.literal("settings.set"), settings: settingsPatchSchema }),
  "connection.test": z.object({ ...envelope, type: z.literal("connection.test") }),
  /** The custom models the broker lists for this account: answered by `models` or an `error` (same replyTo). */
  "models.list": z.object({ ...envelope, type: z.literal("models.list") }),
  /**
   * A small JPEG preview of an open document's composite, or of one of its layers (what a style or
   * structure reference would send): answered by `thumbnail` or an `error` (same replyTo).
   */
  "thumbnail.get": z.object({ ...envelope, type: z.literal("thumbnail.get"), docId: z.number().int(), layerId: z.number().int().optional() }),
  /** Runs the host check on scratch documents: answered by `hostcheck.report` or an `error`. */
  "hostcheck.run": z.object({ ...envelope, type: z.literal("hostcheck.run") }),
  /** Stores the clipboard's text as the broker key (read on the host side; the key never reaches the page). */
  "settings.pasteKey": z.object({ ...envelope, type: z.literal("settings.pasteKey") }),
} as const;

export type CommandType = keyof typeof commandSchemas;
export const COMMAND_TYPES = Object.keys(commandSchemas) as CommandType[];

export type Command = { [K in CommandType]: z.infer<(typeof commandSchemas)[K]> }[CommandType];
export type CommandOf<K extends CommandType> = Extract<Command, { type: K }>;
/** A command as the panel writes it: the envelope is added by `makeCommand`. */
export type CommandBody<K extends CommandType = CommandType> = K extends CommandType ? Omit<CommandOf<K>, "protocol" | "version"> : never;
