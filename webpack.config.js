// Builds the folder that UXP Developer Tool loads (dist/plugin) and the playground (dist/playground).
// The Node broker is compiled separately with `tsc -p tsconfig.node.json` (see package.json "build").
//
// Extra broker origins for the manifest's network permission: set INFILL_BROKER_ORIGINS at build time,
// e.g. INFILL_BROKER_ORIGINS="https://infill.studio.example" npm run build
const path = require("path");
const webpack = require("webpack");
const CopyPlugin = require("copy-webpack-plugin");
const { manifestForBuild } = require("./scripts/manifest-origins");

const root = __dirname;
const out = (...p) => path.resolve(root, "dist", ...p);

function base(argv) {
  return {
    // Never an eval-based devtool: UXP blocks eval (the webpack development default).
    devtool: argv.mode === "production" ? false : "inline-source-map",
    resolve: { extensions: [".tsx", ".ts", ".js"] },
    module: {
      rules: [{ test: /\.tsx?$/, loader: "ts-loader", exclude: /node_modules/, options: { transpileOnly: true } }],
    },
    performance: { hints: false },
    stats: "errors-warnings",
  };
}

module.exports = (env, argv) => [
  // 1. UXP host bundle: one classic script, host modules stay external.
  {
    ...base(argv),
    name: "plugin",
    target: "web",
    entry: "./src/plugin/main.ts",
    output: { path: out("plugin"), filename: "index.js", publicPath: "", clean: { keep: /^ui\// } },
    externals: { photoshop: "commonjs2 photoshop", uxp: "commonjs2 uxp", os: "commonjs2 os", fs: "commonjs2 fs" },
    externalsType: "commonjs",
    optimization: { splitChunks: false },
    plugins: [
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new CopyPlugin({
        patterns: [
          { from: "plugin", to: ".", globOptions: { ignore: ["**/ui/**"] }, info: { minimized: true } },
          { from: "manifest.json", to: "manifest.json", transform: (buf) => manifestForBuild(buf, process.env) },
        ],
      }),
    ],
  },
  // 2. Panel UI bundle for the <webview> (and the playground's iframe): relative asset paths.
  {
    ...base(argv),
    name: "panel",
    target: "web",
    entry: "./src/panel/index.tsx",
    output: { path: out("plugin", "ui"), filename: "panel.js", publicPath: "", clean: true },
    optimization: { splitChunks: false },
    plugins: [
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new webpack.DefinePlugin({ "process.env.NODE_ENV": JSON.stringify(argv.mode || "production") }),
      new CopyPlugin({ patterns: [{ from: "plugin/ui", to: ".", info: { minimized: true } }] }),
    ],
  },
  // 3. Playground: the simulated Photoshop document + the same host controller, in a browser page.
  {
    ...base(argv),
    name: "playground",
    target: "web",
    entry: "./src/playground/index.tsx",
    output: { path: out("playground"), filename: "playground.js", publicPath: "", clean: true },
    optimization: { splitChunks: false },
    plugins: [
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new webpack.DefinePlugin({ "process.env.NODE_ENV": JSON.stringify(argv.mode || "production") }),
      new CopyPlugin({ patterns: [{ from: "src/playground/static", to: ".", info: { minimized: true } }] }),
    ],
  },
  // 4. The broker's /admin page (served from dist/admin at /admin/).
  {
    ...base(argv),
    name: "admin",
    target: "web",
    entry: "./src/admin/index.tsx",
    output: { path: out("admin"), filename: "admin.js", publicPath: "/admin/", clean: true },
    optimization: { splitChunks: false },
    plugins: [
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new webpack.DefinePlugin({ "process.env.NODE_ENV": JSON.stringify(argv.mode || "production") }),
      new CopyPlugin({ patterns: [{ from: "src/admin/static", to: ".", info: { minimized: true } }] }),
    ],
  },
];
