// Reading a header from either a fetch `Headers` object or Node's plain header record.

export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | number | undefined> | undefined;

export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    const v = (headers as { get(name: string): string | null }).get(name);
    return v === null ? undefined : v;
  }
  const record = headers as Record<string, string | string[] | number | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const v = record[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(", ") : String(v);
}
