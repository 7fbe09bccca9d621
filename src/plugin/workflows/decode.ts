// Decoding a job's downloaded results one by one: a result the service sent that cannot be read is
// left out and reported as bad output, and the others are still placed.

import { classifyUnreadableOutput } from "../../common/firefly";
import type { RGBAImage } from "../../common/host";
import { decodePlaced } from "../../common/imaging/codecs";
import type { DecodeRegion, OutputPlacement } from "../../common/imaging/crop";
import { WorkflowError } from "./errors";

/** One downloaded result: its bytes and where a cropped download lies in the whole output. */
export interface OutputBytes {
  bytes: Uint8Array;
  placement: OutputPlacement | null | undefined;
}

export interface DecodedOutputs {
  /** Per result, in output order: its image, or null when it could not be read. */
  images: (RGBAImage | null)[];
  /** Says which results were left out (category bad_output), when some but not all could not be read. */
  note?: string;
}

/** Decodes each result; throws a bad_output WorkflowError when none can be read. */
export function decodeOutputs(outputs: readonly OutputBytes[], region?: DecodeRegion): DecodedOutputs {
  const failures: string[] = [];
  const images = outputs.map((o, i) => {
    try {
      return decodePlaced(o.bytes, o.placement ?? null, region);
    } catch (e) {
      failures.push(`result ${i + 1} (${o.bytes.length} bytes): ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  });
  if (failures.length === 0) return { images };
  const error = classifyUnreadableOutput(failures.length, outputs.length, failures.join("; "));
  if (failures.length >= outputs.length) throw new WorkflowError({ category: error.category, message: error.message, detail: error.detail });
  return { images, note: error.message };
}

/** Joins the notes a job collected (absent ones skipped). */
export function joinNotes(...notes: (string | undefined)[]): string | undefined {
  const present = notes.filter((n): n is string => !!n);
  return present.length ? present.join(" ") : undefined;
}
