// Building and checking messages. Every incoming message, on either side, goes through `decode*`:
// strings are parsed as JSON, then the envelope, the type and the payload are checked. Anything wrong
// becomes an `error` event describing what was wrong (never the offending values, which could hold a
// secret) — decoding never throws.

import type { z } from "zod";
import { commandSchemas, type Command, type CommandBody, type CommandType } from "./commands";
import { eventSchemas, type ErrorEventBody, type EventBody, type EventOf, type EventType, type ProtocolEvent } from "./events";
import { MAX_MESSAGE_CHARS, PROTOCOL_NAME, PROTOCOL_VERSION } from "./version";

export type Decoded<T> = { ok: true; message: T } | { ok: false; error: EventOf<"error"> };

export function makeCommand<K extends CommandType>(body: CommandBody<K>): Command {
  return { protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, ...body } as Command;
}

export function makeEvent<K extends EventType>(body: EventBody<K>): ProtocolEvent {
  return { protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, ...body } as ProtocolEvent;
}

export function errorEvent(body: ErrorEventBody, replyTo?: string): EventOf<"error"> {
  const e: EventOf<"error"> = { protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, type: "error", ...body };
  if (replyTo !== undefined) e.replyTo = replyTo;
  return e;
}

function protocolError(code: string, message: string, hint: string, detail: string | undefined, replyTo: string | undefined) {
  return errorEvent({ category: "protocol", code, message, hint, ...(detail ? { detail } : {}) }, replyTo);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? i.path.join(".") : "(message)"}: ${i.message}`)
    .join("; ");
}

type Schemas = Record<string, z.ZodType>;

function decodeWith<T>(raw: unknown, schemas: Schemas, side: "command" | "event"): Decoded<T> {
  let value: unknown = raw;
  if (typeof raw === "string") {
    if (raw.length > MAX_MESSAGE_CHARS) {
      return {
        ok: false,
        error: protocolError(
          "too_large",
          `A ${side} was too large to accept.`,
          "This is a bug in Infill; please report it.",
          `${raw.length} characters`,
          undefined,
        ),
      };
    }
    try {
      value = JSON.parse(raw);
    } catch {
      return {
        ok: false,
        error: protocolError("malformed", `A ${side} was not valid JSON.`, "This is a bug in Infill; please report it.", undefined, undefined),
      };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      error: protocolError(
        "malformed",
        `A ${side} was not a message object.`,
        "This is a bug in Infill; please report it.",
        `got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
        undefined,
      ),
    };
  }
  const obj = value as Record<string, unknown>;
  const idField = side === "command" ? obj.id : obj.replyTo;
  const replyTo = typeof idField === "string" && idField.length > 0 && idField.length <= 100 ? idField : undefined;
  if (obj.protocol !== PROTOCOL_NAME) {
    return {
      ok: false,
      error: protocolError(
        "not_ours",
        `A ${side} did not belong to Infill's protocol.`,
        "Ignore it if another page sent it; otherwise reload the panel.",
        undefined,
        replyTo,
      ),
    };
  }
  if (obj.version !== PROTOCOL_VERSION) {
    const theirs = typeof obj.version === "number" || typeof obj.version === "string" ? String(obj.version) : "none";
    return {
      ok: false,
      error: protocolError(
        "version_mismatch",
        "The panel and the plugin come from different Infill versions.",
        "Reload the plugin in UXP Developer Tool (or restart Photoshop) so both parts come from the same build.",
        `expected protocol version ${PROTOCOL_VERSION}, got ${theirs}`,
        replyTo,
      ),
    };
  }
  const type = obj.type;
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(schemas, type)) {
    return {
      ok: false,
      error: protocolError(
        "unknown_type",
        `Unknown ${side} type.`,
        "Reload the plugin so the panel and the plugin match.",
        typeof type === "string" ? `type "${type.slice(0, 60)}"` : "no type",
        replyTo,
      ),
    };
  }
  const parsed = schemas[type].safeParse(obj);
  if (!parsed.success) {
    return {
      ok: false,
      error: protocolError(
        "invalid",
        `The ${side} "${type}" had invalid fields.`,
        "Check the values you entered; if they look right, this is a bug in Infill.",
        describeIssues(parsed.error.issues),
        replyTo,
      ),
    };
  }
  return { ok: true, message: parsed.data as T };
}

/** Host side: check a message from the panel. */
export function decodeCommand(raw: unknown): Decoded<Command> {
  return decodeWith<Command>(raw, commandSchemas, "command");
}

/** Panel side: check a message from the host. */
export function decodeEvent(raw: unknown): Decoded<ProtocolEvent> {
  return decodeWith<ProtocolEvent>(raw, eventSchemas, "event");
}
