// The built plugin folder (dist/plugin) is what UXP Developer Tool loads: check it has exactly what the
// plugin relies on. Run after `npm run build` (the test command builds first).
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";

const root = path.join(__dirname, "..", "..");
const dist = path.join(root, "dist", "plugin");
const read = (rel: string) => fs.readFileSync(path.join(dist, rel));
const pngSize = (buf: Buffer) => ({ width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) });

describe("built plugin folder", () => {
  const manifest = JSON.parse(read("manifest.json").toString("utf8"));

  test("manifest v5 for Photoshop 26+ with API version 2", () => {
    expect(manifest.manifestVersion).toBe(5);
    expect(manifest.main).toBe("index.html");
    expect(manifest.host).toEqual({ app: "PS", minVersion: "26.0.0", data: { apiVersion: 2, loadEvent: "use" } });
    expect(fs.existsSync(path.join(dist, manifest.main))).toBe(true);
  });

  test("one panel entrypoint with sizes and light/dark icons that exist at 23x23 and 46x46", () => {
    expect(manifest.entrypoints).toHaveLength(1);
    const panel = manifest.entrypoints[0];
    expect(panel.type).toBe("panel");
    expect(panel.minimumSize.width).toBeGreaterThanOrEqual(240);
    expect(panel.preferredDockedSize.height).toBeGreaterThan(panel.minimumSize.height);
    const themes = panel.icons.flatMap((i: { theme: string[] }) => i.theme).sort();
    expect(themes).toEqual(["dark", "darkest", "light", "lightest", "medium"]);
    for (const icon of panel.icons) {
      const at1 = pngSize(read(icon.path));
      const at2 = pngSize(read(icon.path.replace(/\.png$/, "@2x.png")));
      expect(at1).toEqual({ width: 23, height: 23 });
      expect(at2).toEqual({ width: 46, height: 46 });
    }
  });

  test("permissions: full broker origins, a local webview with the message bridge, plugin storage, clipboard read", () => {
    const p = manifest.requiredPermissions;
    expect(Object.keys(p).sort()).toEqual(["clipboard", "localFileSystem", "network", "webview"]);
    expect(p.clipboard).toBe("read");
    expect(p.network.domains).toEqual(["http://localhost:8765", "http://127.0.0.1:8765"]);
    for (const d of p.network.domains) expect(new URL(d).origin).toBe(d);
    expect(p.webview).toEqual({ allow: "yes", allowLocalRendering: "yes", enableMessageBridge: "localOnly", domains: [] });
    expect(p.localFileSystem).toBe("plugin");
    expect(manifest.requiredPermissions.allowCodeGenerationFromStrings).toBeUndefined();
  });

  test("no eval or new Function in any bundle, host modules stay external", () => {
    const host = read("index.js").toString("utf8");
    const ui = read("ui/panel.js").toString("utf8");
    // zod carries one guarded feature probe, `try { new Function("") } catch`, which fails harmlessly
    // where code generation is blocked (and the host sets zod to jitless). Nothing else may generate code.
    const probe = /try\{return new Function\(""\),!0\}catch\(\w+\)\{return!1\}/g;
    for (const code of [host, ui]) {
      const rest = code.replace(probe, "");
      expect(rest).not.toMatch(/\beval\(/);
      expect(rest).not.toMatch(/\bFunction\(/);
    }
    expect(host).not.toMatch(/^import /m);
    expect(host).toMatch(/require\("photoshop"\)/);
    expect(host).toMatch(/jitless/);
  });

  test("the webview page loads its script by a relative path", () => {
    const html = read("ui/index.html").toString("utf8");
    expect(html).toMatch(/<script src="?panel\.js"?>/);
    expect(html).not.toMatch(/src="?\//);
    expect(read("index.html").toString("utf8")).toMatch(/<webview[^>]+src="plugin:\/ui\/index\.html"/);
  });
});

describe("team broker origins at build time", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { manifestForBuild, parseOrigins } = require(path.join(root, "scripts", "manifest-origins.js"));
  const source = fs.readFileSync(path.join(root, "manifest.json"));

  test("INFILL_BROKER_ORIGINS adds full origins to the network permission", () => {
    const built = JSON.parse(manifestForBuild(source, { INFILL_BROKER_ORIGINS: "https://infill.studio.example, http://10.0.0.5:9000" }));
    expect(built.requiredPermissions.network.domains).toEqual([
      "http://localhost:8765",
      "http://127.0.0.1:8765",
      "https://infill.studio.example",
      "http://10.0.0.5:9000",
    ]);
  });

  test("a bare host or a path is refused with a clear message", () => {
    expect(() => parseOrigins("infill.example")).toThrow(/not a full origin/);
    expect(() => parseOrigins("https://infill.example/api")).toThrow(/bare http\(s\) origin/);
  });
});

describe("npm run package", () => {
  test("writes a .ccx zip with manifest.json at its root", async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { packageCcx } = require(path.join(root, "scripts", "package-ccx.js"));
    const out = fs.mkdtempSync(path.join(require("os").tmpdir(), "ccx-"));
    const file: string = await packageCcx(out);
    expect(path.basename(file)).toBe(`${manifest().id}_${manifest().version}.ccx`);
    const listing = execFileSync("python3", ["-c", "import sys,zipfile;print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", file])
      .toString()
      .trim()
      .split("\n");
    expect(listing).toContain("manifest.json");
    expect(listing).toContain("index.html");
    expect(listing).toContain("index.js");
    expect(listing).toContain("ui/index.html");
    expect(listing).toContain("icons/dark@2x.png");
    expect(listing.some((f) => f.startsWith("/") || f.includes(".."))).toBe(false);
  });
  const manifest = () => JSON.parse(read("manifest.json").toString("utf8"));
});
