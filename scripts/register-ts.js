// Runs the TypeScript sources in Node without a build, for processes and worker threads started from
// the sources (tests, benches): `node -r ./scripts/register-ts.js`, or require() it first in a worker.
// Each file is transpiled on its own (no type-check, as tsconfig's isolatedModules allows) with the
// emit options of tsconfig.json, and the result is kept in a cache folder keyed by the TypeScript
// version, those options, the file's path and its text: a process that finds every file there does
// not load the TypeScript compiler at all.
const { createHash, randomBytes } = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** tsconfig.json's options that change the emitted JavaScript, with CommonJS modules for Node. */
const OPTIONS = {
  target: "ES2020",
  module: "CommonJS",
  jsx: "react-jsx",
  esModuleInterop: true,
  inlineSourceMap: true,
  inlineSources: true,
};
const CACHE_DIR = process.env.INFILL_TS_CACHE_DIR || path.join(os.tmpdir(), "infill-ts-cache");
const TS_VERSION = require("typescript/package.json").version;
const KEY_PREFIX = `${TS_VERSION}\n${JSON.stringify(OPTIONS)}\n`;

let ts;
let compilerOptions;

function transpile(code, filename) {
  ts ??= require("typescript");
  compilerOptions ??= ts.convertCompilerOptionsFromJson(OPTIONS, process.cwd()).options;
  const out = ts.transpileModule(code, { fileName: filename, compilerOptions, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const text = ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" });
    throw new SyntaxError(`${filename} could not be transpiled:\n${text}`);
  }
  return out.outputText;
}

/** Entries not read for this long are removed, so a cache that sees every edit does not grow without end. */
const KEEP_MS = 7 * 24 * 3600 * 1000;
let pruned = false;

/** Removes entries not used for KEEP_MS (once per process, at its first transpile: reads touch an entry's time). */
function prune() {
  pruned = true;
  try {
    const cutoff = Date.now() - KEEP_MS;
    for (const name of fs.readdirSync(CACHE_DIR)) {
      const file = path.join(CACHE_DIR, name);
      if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
    }
  } catch {
    // A cache that cannot be pruned only takes more room.
  }
}

/** The file's JavaScript: from the cache, or transpiled and then stored there (written whole, then renamed). */
function javascriptFor(code, filename) {
  const key = createHash("sha256").update(KEY_PREFIX).update(filename).update("\n").update(code).digest("hex");
  const file = path.join(CACHE_DIR, `${key}.js`);
  let js;
  try {
    js = fs.readFileSync(file, "utf8");
  } catch {
    // not cached yet
  }
  if (js !== undefined) {
    try {
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch {
      // An entry whose time cannot be touched is only pruned sooner.
    }
    return js;
  }
  if (!pruned) prune();
  js = transpile(code, filename);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs the next process the transpile.
  }
  return js;
}

for (const ext of [".ts", ".tsx"]) {
  require.extensions[ext] = (module, filename) => {
    module._compile(javascriptFor(fs.readFileSync(filename, "utf8"), filename), filename);
  };
}
// Stack traces name the TypeScript lines (the inline source maps above).
process.setSourceMapsEnabled(true);
