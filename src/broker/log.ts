// Structured logs: one JSON object per line. Every line passes through a redactor that knows the
// broker's secrets (client secret, broker keys, IMS tokens, the output-signing key) and also
// masks anything shaped like a bearer credential, so a secret cannot reach a log by accident.

export type LogEntry = Record<string, unknown>;
export type LogSink = (line: string) => void;

/** Bearer credentials, secret-looking URL/form parameters, and broker keys (`ifk_…`), in one pass. */
const PATTERN = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}|\b(client_secret|access_token|api_key|apikey|token|secret)=[^&\s"]+|\bifk_[A-Za-z0-9_-]{8,}/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short strings would mask innocent text; real secrets here are long.
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
    return out.replace(PATTERN, (_m, bearer: string | undefined, param: string | undefined) => (bearer ? `${bearer} [redacted]` : param ? `${param}=[redacted]` : "ifk_[redacted]"));
  }
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    readonly redactor: Redactor,
  ) {}

  log(entry: LogEntry): void {
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), ...entry });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), msg: "unserialisable log entry" });
    }
    this.sink(this.redactor.redact(line));
  }

  /** Human-facing start-up text (also redacted, except what the caller means to print). */
  print(text: string): void {
    this.sink(text);
  }
}

export function stdoutSink(line: string): void {
  process.stdout.write(line + "\n");
}
