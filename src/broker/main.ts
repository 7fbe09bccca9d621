// Broker entry (placeholder until the token broker lands).
export async function main(_argv: string[]): Promise<void> {
  throw new Error("the broker is not implemented yet");
}
