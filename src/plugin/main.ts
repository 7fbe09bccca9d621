// UXP host entry (dist/plugin/index.js, a classic script loaded by plugin/index.html).
import { config as zodConfig } from "zod";
import { setupPanel } from "./photoshop/startup";

// UXP forbids code generation from strings (no allowCodeGenerationFromStrings in the manifest):
// keep zod on its interpreted path instead of probing `new Function`.
zodConfig({ jitless: true });

setupPanel();
