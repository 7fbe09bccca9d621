// Structured logs: one JSON object per line. Every line passes through a redactor that knows the
// broker's secrets (client secret, broker keys, IMS tokens, the output-signing key) and also
// masks anything shaped like a bearer credential, so a secret cannot reach a log by accident.
// Lines are redacted when logged and written in batches (once per event-loop turn), so a busy
// broker makes one write per turn instead of one per request; a line after a quiet spell is
// written at once (at a low rate a batch would hold that one line, and scheduling it costs more).

export type LogEntry = Record<string, unknown>;
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
    return out.replace(PATTERN, (_m, bearer: string | undefined, param: string | undefined) => (bearer ? `${bearer} [redacted]` : param ? `${param}=[redacted]` : "ifk_[redacted]"));
  }
}

/**
 * `text` redacted, then shortened to `max` characters. Always in that order: a secret cut in two
 * is no longer recognised, and its first part would pass.
 */
export function redactThenCut(text: string, max: number, redact: (text: string) => string): string {
  return redact(text).slice(0, max);
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    readonly redactor: Redactor,
  ) {}

  private lastMs = -1;
  private lastIso = "";
  private lastSecond = -1;
  /** "YYYY-MM-DDTHH:MM:SS." of `lastSecond`. */
  private secondPrefix = "";

  /** The ISO time: the date and second formatted once per second, the milliseconds appended. */
  private time(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      const frac = ms % 1000;
      const second = ms - frac;
      if (second !== this.lastSecond) {
        this.lastSecond = second;
        this.secondPrefix = new Date(second).toISOString().slice(0, 20);
      }
      this.lastIso = `${this.secondPrefix}${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}Z`;
    }
    return this.lastIso;
  }

  log(entry: LogEntry): void {
    const time = this.time();
    let line: string;
    try {
      // `{ time, ...entry }` without building that object: the entry's JSON with the time put first.
      if ("time" in entry) line = JSON.stringify({ time, ...entry });
      else {
        const body = JSON.stringify(entry);
        line = body.length > 2 ? `{"time":"${time}",${body.slice(1)}` : `{"time":"${time}"}`;
      }
    } catch {
      line = JSON.stringify({ time, msg: "unserialisable log entry" });
    }
    this.sink(this.redactor.redact(line));
  }

  /** Human-facing start-up text (also redacted, except what the caller means to print). */
  print(text: string): void {
    this.sink(text);
  }
}

export interface BatchedSink extends LogSink {
  /** Write what is buffered now. */
  flush(): void;
}

/** A line this long after the one before (ms) is written at once, when nothing is buffered. */
const QUIET_MS = 2;

/**
 * A sink that buffers lines and hands them to `write` joined (each line still ends with "\n"),
 * at the end of the current event-loop turn or once `maxChars` are buffered. A line that comes
 * after a quiet spell, with nothing buffered, is handed on at once.
 */
export function batchedSink(write: (text: string) => void, maxChars = 64 * 1024): BatchedSink {
  let buf: string[] = [];
  let size = 0;
  let scheduled = false;
  let lastLineAt = -Infinity;
  const flush = () => {
    scheduled = false;
    if (!buf.length) return;
    const text = buf.join("");
    buf = [];
    size = 0;
    write(text);
  };
  const sink = ((line: string) => {
    const now = Date.now();
    const quiet = now - lastLineAt >= QUIET_MS;
    lastLineAt = now;
    if (quiet && !buf.length) {
      write(line + "\n");
      return;
    }
    buf.push(line + "\n");
    size += line.length + 1;
    if (size >= maxChars) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }) as BatchedSink;
  sink.flush = flush;
  return sink;
}

let stdoutBatch: BatchedSink | undefined;

/** Standard output, batched; whatever is buffered is written when the process exits. */
export function stdoutSink(line: string): void {
  if (!stdoutBatch) {
    const batch = batchedSink((text) => process.stdout.write(text));
    process.once("exit", () => batch.flush());
    stdoutBatch = batch;
  }
  stdoutBatch(line);
}
