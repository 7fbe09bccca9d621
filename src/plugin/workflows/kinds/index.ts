// The table of job kinds: each kind's capture, submit and placing, looked up by the request's `kind`.
// A new kind adds its parameters to JobParams (common/jobs.ts), its types to
// KindTypes (kind.ts), its module here and its line in KINDS; the compiler then asks for every
// function it must supply, and for its request part in migrate.ts.

import type { JobKind } from "../../../common/jobs";
import { expand } from "./expand";
import { fill } from "./fill";
import { generate } from "./generate";
import { harmonize } from "./harmonize";
import type { KindWorkflow } from "./kind";
import { similar } from "./similar";

const KINDS: { [K in JobKind]: KindWorkflow<K> } = { fill, expand, generate, similar, harmonize };

/** The workflow of one kind; called with a request's own `kind`, its functions take that request. */
export function kindOf<K extends JobKind>(kind: K): KindWorkflow<K> {
  return KINDS[kind];
}

export type { CapturedOf, KindWorkflow, RequestOf, SentImages, SubmitCall, Upload, UploadIds, Uploader, UploadSet } from "./kind";
