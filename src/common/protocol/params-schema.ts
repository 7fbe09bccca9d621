// Runtime schemas for the job parameters the panel sends (src/common/jobs.ts), checked on the host
// side before anything runs. Objects are "loose": fields the generation core adds later pass through
// untouched instead of being stripped; the compile-time check at the bottom keeps the schema and the
// TypeScript types in step.

import { z } from "zod";
import type { JobParams } from "../jobs";

const int = z.number().int();
const prompt = z.string().max(1024);

export const rectSchema = z.object({ left: int, top: int, right: int, bottom: int });
export const sizeSchema = z.object({ width: int.positive(), height: int.positive() });

export const blendSchema = z.looseObject({ bandPx: z.number().min(0).max(4096), toneMatch: z.boolean() });

export const alignmentSchema = z.looseObject({
  horizontal: z.enum(["left", "center", "right"]),
  vertical: z.enum(["top", "center", "bottom"]),
});

export const aspectPresetSchema = z.enum(["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "4:5", "5:4"]);

const sidePx = int.min(0).max(30000);
export const expandTargetSchema = z.discriminatedUnion("kind", [
  z.looseObject({ kind: z.literal("size"), width: int.min(1).max(30000), height: int.min(1).max(30000), alignment: alignmentSchema }),
  z.looseObject({ kind: z.literal("aspect"), aspect: aspectPresetSchema, alignment: alignmentSchema }),
  z.looseObject({ kind: z.literal("sides"), left: sidePx, top: sidePx, right: sidePx, bottom: sidePx }),
]);

export const imageReferenceSchema = z.looseObject({
  docId: int,
  layerId: int.optional(),
  strength: z.number().min(0).max(100),
});

const common = {
  numVariations: int.min(1).max(4),
  seeds: z.array(int.min(0).max(2147483647)).min(1).max(4).optional(),
  blend: blendSchema.optional(),
};

export const fillParamsSchema = z.looseObject({
  kind: z.literal("fill"),
  ...common,
  prompt: prompt.optional(),
  negativePrompt: prompt.optional(),
  detail: z.enum(["standard", "native"]).optional(),
});

export const expandParamsSchema = z.looseObject({
  kind: z.literal("expand"),
  ...common,
  target: expandTargetSchema,
  prompt: prompt.optional(),
  detail: z.enum(["standard", "native"]).optional(),
});

export const generateParamsSchema = z.looseObject({
  kind: z.literal("generate"),
  ...common,
  prompt: prompt.min(1),
  negativePrompt: prompt.optional(),
  contentClass: z.enum(["photo", "art"]).optional(),
  stylePresets: z.array(z.string().max(200)).max(50).optional(),
  styleReference: imageReferenceSchema.optional(),
  structureReference: imageReferenceSchema.optional(),
  visualIntensity: z.number().min(0).max(100).optional(),
  modelVersion: z.enum(["image3", "image3_custom", "image4_standard", "image4_ultra", "image4_custom"]).optional(),
  customModelId: z.string().max(500).optional(),
});

export const similarParamsSchema = z.looseObject({
  kind: z.literal("similar"),
  ...common,
  source: z.enum(["selection", "document"]),
  fromJob: z.string().min(1).max(200).optional(),
  modelVersion: z.enum(["image3", "image4_standard", "image4_ultra"]).optional(),
});

const unit = z.number().min(0).max(1);
export const harmonizeParamsSchema = z.looseObject({
  kind: z.literal("harmonize"),
  ...common,
  numVariations: int.min(1).max(3),
  seeds: z.array(int.min(0).max(2147483647)).min(1).max(3).optional(),
  layerId: int,
  method: z.enum(["adaptive", "precise"]),
  strength: unit,
  shadows: z.boolean().optional(),
  shadowIntensity: unit.optional(),
  keepBackground: z.boolean().optional(),
});

export const jobParamsSchema = z
  .discriminatedUnion("kind", [fillParamsSchema, expandParamsSchema, generateParamsSchema, similarParamsSchema, harmonizeParamsSchema])
  .refine((p) => !p.seeds || p.seeds.length === p.numVariations, {
    message: "seeds must have one entry per variation",
    path: ["seeds"],
  });

// Compile-time: whatever the schema accepts is a JobParams. If jobs.ts gains a required field, this fails
// to compile and the schema must learn it.
type Parsed = z.infer<typeof jobParamsSchema>;
export const parsedIsJobParams: (p: Parsed) => JobParams = (p) => p;
