// Structured logs through pino: one JSON object per line (`level`, `time`, then the entry). Two
// layers keep secrets out: pino's `redact` masks fields that are secret by name wherever a call
// site puts them, and every serialised line then passes through the Redactor, which knows the
// broker's secrets by value (client secret, broker keys, IMS tokens, the output-signing key) and
// masks anything shaped like a bearer credential, so a secret cannot reach a log by accident.

import pino from "pino";

export type LogEntry = Record<string, unknown>;
/** Receives one redacted JSON line at a time, without its newline. */
export type LogSink = (line: string) => void;

/** Bearer credentials, secret-looking URL/form parameters, and broker keys (`ifk_…`), in one pass. */
const PATTERN = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}|\b(client_secret|access_token|api_key|apikey|token|secret)=[^&\s"]+|\bifk_[A-Za-z0-9_-]{8,}/gi;
/** The same, to test for a match first: most text has none, and a test is cheaper than a replace. */
const PATTERN_TEST = new RegExp(PATTERN.source, "i");

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short strings would mask innocent text; real secrets here are long.
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
    if (!PATTERN_TEST.test(out)) return out;
    return out.replace(PATTERN, (_m, bearer: string | undefined, param: string | undefined) =>
      bearer ? `${bearer} [redacted]` : param ? `${param}=[redacted]` : "ifk_[redacted]",
    );
  }
}

/**
 * `text` redacted, then shortened to `max` characters. Always in that order: a secret cut in two
 * is no longer recognised, and its first part would pass.
 */
export function redactThenCut(text: string, max: number, redact: (text: string) => string): string {
  return redact(text).slice(0, max);
}

/** Fields masked by name, whatever their value looks like. */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "clientSecret",
  "client_secret",
  "accessToken",
  "access_token",
  "apiKey",
  "api_key",
  "password",
  "secret",
  "signingKey",
  "token",
];
/**
 * The top-level fields, and headers or upstream bodies placed in an entry. Named paths only: a
 * wildcard path (`*.token`) made every line several times slower, and the value scrubbing after
 * it already masks the secrets the broker knows wherever they are.
 */
export const REDACT_PATHS = [...SECRET_FIELDS, ...["headers", "upstream", "body"].flatMap((parent) => SECRET_FIELDS.map((f) => `${parent}.${f}`))];

/**
 * pino's `timestamp`: `,"time":"<ISO time>"`, the date and second formatted once per second and
 * the milliseconds appended (formatting a whole ISO time for every line cost more than the rest
 * of a request's log line).
 */
function isoTimestamp(): () => string {
  let lastMs = -1;
  let lastSecond = -1;
  let secondPrefix = "";
  let field = "";
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      const frac = ms % 1000;
      const second = ms - frac;
      if (second !== lastSecond) {
        lastSecond = second;
        secondPrefix = new Date(second).toISOString().slice(0, 20);
      }
      field = `,"time":"${secondPrefix}${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}Z"`;
    }
    return field;
  };
}

export class Logger {
  private readonly out: pino.Logger;

  constructor(
    sink: LogSink,
    readonly redactor: Redactor,
  ) {
    // pino hands each serialised line (ending in "\n") to this stream; the value scrubbing
    // happens here, on the finished text, so it also covers fields no path names.
    const stream = { write: (text: string) => sink(redactor.redact(text.endsWith("\n") ? text.slice(0, -1) : text)) };
    this.out = pino(
      {
        base: undefined,
        timestamp: isoTimestamp(),
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      },
      stream,
    );
  }

  log(entry: LogEntry): void {
    this.out.info(entry);
  }

  warn(entry: LogEntry): void {
    this.out.warn(entry);
  }

  error(entry: LogEntry): void {
    this.out.error(entry);
  }
}

/**
 * A sink writing to a file descriptor (default: standard output) through pino's asynchronous
 * destination: a line is written at once when no write is in progress; lines logged while one is
 * are gathered and written together after it, so a busy broker makes few large writes and a
 * quiet one shows each line as it happens. Whatever is buffered is written when the process exits.
 */
export function fdSink(fd = 1): LogSink {
  const dest = pino.destination({ dest: fd, sync: false });
  return (line) => void dest.write(line + "\n");
}
