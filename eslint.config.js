// Lint configuration. `npm run lint` runs it (with `prettier --check`) and `npm test` runs that.
// The baseline is zero problems; a rule that does not fit the codebase is switched off here with its
// reason rather than disabled at call sites. Nothing is type-aware: `tsc` (npm run typecheck) already
// checks types, and a type-aware lint would build the whole program a second time.
const js = require("@eslint/js");
const globals = require("globals");
const tseslint = require("typescript-eslint");
const reactHooks = require("eslint-plugin-react-hooks");

/**
 * Globals that the Photoshop UXP runtime lacks, or that plugin code must reach through our own
 * fallbacks. `tsc` and jest cannot see these mistakes: their DOM and Node types declare all of them.
 */
const UXP_MISSING_GLOBALS = [
  { name: "TextEncoder", message: "UXP may lack TextEncoder: use encodeUtf8 from src/plugin/settings/utf8.ts." },
  { name: "TextDecoder", message: "UXP may lack TextDecoder: use decodeUtf8 from src/plugin/settings/utf8.ts." },
  { name: "URL", message: "UXP has no URL constructor (only URL.createObjectURL): parse the string instead." },
  { name: "URLSearchParams", message: "URLSearchParams arrived only in UXP 9.1 (Photoshop 27.4): build the query string instead." },
  { name: "structuredClone", message: "UXP has no structuredClone: copy the value explicitly." },
  { name: "localStorage", message: "Settings live in the host's settings file and secrets in uxp.storage.secureStorage (src/plugin/settings)." },
  { name: "sessionStorage", message: "UXP has no sessionStorage: keep state in the controller or the settings file." },
  { name: "queueMicrotask", message: "Older UXP lacks queueMicrotask: use Promise.resolve().then(...)." },
];

/** UXP's AbortSignal "works only for web streams" and has no static constructors. */
const UXP_MISSING_PROPERTIES = ["timeout", "any", "abort"].map((property) => ({
  object: "AbortSignal",
  property,
  message: `UXP has no AbortSignal.${property}(): race the request against the injected sleep or an AbortController.`,
}));

/** Only src/plugin/photoshop/ touches Photoshop; everything else goes through the host interface. */
const HOST_MODULES = {
  paths: [
    { name: "photoshop", message: "Only src/plugin/photoshop/ imports photoshop; use the host interface (src/common/host.ts)." },
    { name: "uxp", message: "Only src/plugin/photoshop/ imports uxp; use the host interface (src/common/host.ts)." },
  ],
};

module.exports = tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test-artifacts/**", "coverage/**", "plugin/ui/**"] },

  js.configs.recommended,
  ...tseslint.configs.recommended,

  {
    rules: {
      // `tsc` reports unused locals and parameters (noUnusedLocals/noUnusedParameters); one report is enough.
      "@typescript-eslint/no-unused-vars": "off",
      // `catch {}` with nothing to do is how optional capabilities are probed (a missing sharp, a closed socket).
      "no-empty": ["error", { allowEmptyCatch: true }],
      // `cond ? a++ : b++` counts one of two tallies; other bare expressions stay errors.
      "@typescript-eslint/no-unused-expressions": ["error", { allowTernary: true }],
    },
  },
  // A disable comment for a rule that no longer fires is an error, so none outlive their reason.
  { linterOptions: { reportUnusedDisableDirectives: "error" } },

  {
    files: ["src/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", HOST_MODULES],
    },
  },
  {
    // The one place that talks to Photoshop.
    files: ["src/plugin/photoshop/**"],
    rules: { "no-restricted-imports": "off" },
  },

  {
    // Code that runs inside Photoshop UXP: browser-shaped, but not a browser.
    files: ["src/plugin/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    rules: {
      "no-restricted-globals": ["error", ...UXP_MISSING_GLOBALS],
      "no-restricted-properties": ["error", ...UXP_MISSING_PROPERTIES],
    },
  },
  {
    // Shared code is bundled into the plugin too, so it reads addresses with src/common/net/web-address.ts.
    files: ["src/common/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-globals": ["error", ...UXP_MISSING_GLOBALS.filter((g) => g.name === "URL" || g.name === "URLSearchParams")],
    },
  },
  {
    // The UTF-8 fallback itself: it uses TextEncoder/TextDecoder only after checking they exist.
    files: ["src/plugin/settings/utf8.ts"],
    rules: {
      "no-restricted-globals": ["error", ...UXP_MISSING_GLOBALS.filter((g) => g.name !== "TextEncoder" && g.name !== "TextDecoder")],
    },
  },

  {
    // The panel (in a webview) and the playground run in a browser.
    files: ["src/panel/**/*.{ts,tsx}", "src/playground/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.flat["recommended-latest"].rules,
      // A missing dependency is a stale-closure bug; an intended omission says so at the call site.
      "react-hooks/exhaustive-deps": "error",
      // Effects here synchronise with the host (a settings draft reset when the host's value changes,
      // the playground refreshing on a host subscription): the case effects exist for.
      "react-hooks/set-state-in-effect": "off",
    },
  },

  {
    // Node: the broker, tests, benches, scripts and tool configs.
    files: ["src/broker/**", "src/common/**", "test/**", "bench/**", "scripts/**", "bin/**", "*.config.js"],
    languageOptions: { globals: globals.node },
  },
  {
    // Tests and benches reach into fakes, page globals and WASM modules whose shapes are deliberately
    // loose, and load modules lazily or in isolation (jest.isolateModules) with require().
    files: ["test/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // A fake document's nested getters read the document they belong to.
    files: ["test/fakes/**"],
    rules: { "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["doc"] }] },
  },
  {
    // The fuzz corpus spells out 1e309 on purpose: a number beyond double range in a request body.
    files: ["test/broker/fuzz.test.ts"],
    rules: { "no-loss-of-precision": "off" },
  },
  {
    // CommonJS files (package.json has no "type": "module").
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
