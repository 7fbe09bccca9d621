// A require hook for the benches' child processes: .ts files are transpiled with TypeScript's
// transpileModule and the production compiler settings (tsconfig.node.json: CommonJS, ES2020).
// Unlike ts-node it loads nothing else into the process (ts-node's REPL pulls in node:domain,
// which slows every EventEmitter), so a measured broker runs as the built one does.
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const root = path.join(__dirname, "..", "..");
const compilerOptions = {
  ...ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.node.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined }).options,
  noEmit: false,
  sourceMap: false,
  inlineSourceMap: false,
  declaration: false,
};

require.extensions[".ts"] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
