/** A configuration problem: start-up stops with this one line and a non-zero exit. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
