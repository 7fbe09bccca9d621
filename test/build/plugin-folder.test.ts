// The built plugin folder (dist/plugin) is what UXP Developer Tool loads: check that it is the source
// manifest as the build writes it, that everything the manifest and the code name is there, and that
// the .ccx package holds that folder. Run after `npm run build` (the test command builds first).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { strFromU8, unzipSync } from "fflate";
import { PANEL_ID, WEBVIEW_SRC } from "../../src/plugin/photoshop/startup";
import { DEFAULT_BROKER_URL } from "../../src/plugin/photoshop/panel-runtime";

const root = path.join(__dirname, "..", "..");
const dist = path.join(root, "dist", "plugin");
const read = (rel: string) => fs.readFileSync(path.join(dist, rel));
const pngSize = (buf: Buffer | Uint8Array) => {
  const b = Buffer.from(buf);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
};
const { manifestForBuild, parseOrigins } = require(path.join(root, "scripts", "manifest-origins.js"));
const source = fs.readFileSync(path.join(root, "manifest.json"));

interface Icon {
  width: number;
  height: number;
  path: string;
  scale: number[];
}

/** Every icon file a manifest names, with the pixel size UXP expects at each scale. */
function iconFiles(manifest: { icons: Icon[]; entrypoints: { icons: Icon[] }[] }): { file: string; width: number; height: number }[] {
  const icons = [...manifest.icons, ...manifest.entrypoints.flatMap((e) => e.icons)];
  return icons.flatMap((i) =>
    i.scale.map((s) => ({ file: s === 1 ? i.path : i.path.replace(/\.png$/, `@${s}x.png`), width: i.width * s, height: i.height * s })),
  );
}

describe("built plugin folder", () => {
  const manifest = JSON.parse(read("manifest.json").toString("utf8"));

  test("the manifest is the source manifest as the build writes it", () => {
    expect(manifest).toEqual(JSON.parse(manifestForBuild(source, process.env)));
  });

  test("the panel the code registers is the manifest's, and its main file exists", () => {
    expect(manifest.entrypoints.map((e: { id: string }) => e.id)).toContain(PANEL_ID);
    expect(fs.existsSync(path.join(dist, manifest.main))).toBe(true);
  });

  test("every icon the manifest names exists at the size it declares for each scale", () => {
    const files = iconFiles(manifest);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect({ file: f.file, ...pngSize(read(f.file)) }).toEqual(f);
  });

  test("the default broker is reachable: its origin is a network permission, and every domain is a bare origin", () => {
    const domains: string[] = manifest.requiredPermissions.network.domains;
    expect(domains).toContain(new URL(DEFAULT_BROKER_URL).origin);
    for (const d of domains) expect(new URL(d).origin).toBe(d);
    // The Paste button reads the broker key from the clipboard on the host side.
    expect(manifest.requiredPermissions.clipboard).toBe("read");
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

  test("the webview page the host shows exists and loads its script by a relative path", () => {
    const page = WEBVIEW_SRC.replace(/^plugin:\//, "");
    const html = read(page).toString("utf8");
    const script = /<script src="?([^" >]+)"?>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(script!.startsWith("/")).toBe(false);
    expect(fs.existsSync(path.join(dist, path.dirname(page), script!))).toBe(true);
    expect(html).not.toMatch(/src="?\//);
    expect(read(manifest.main).toString("utf8")).toContain(`src="${WEBVIEW_SRC}"`);
  });
});

describe("team broker origins at build time", () => {
  test("INFILL_BROKER_ORIGINS adds full origins after the source manifest's own", () => {
    const own: string[] = JSON.parse(source.toString("utf8")).requiredPermissions.network.domains;
    const built = JSON.parse(manifestForBuild(source, { INFILL_BROKER_ORIGINS: "https://infill.studio.example, http://10.0.0.5:9000" }));
    expect(built.requiredPermissions.network.domains).toEqual([...own, "https://infill.studio.example", "http://10.0.0.5:9000"]);
    const again = JSON.parse(manifestForBuild(source, { INFILL_BROKER_ORIGINS: own.join(",") }));
    expect(again.requiredPermissions.network.domains).toEqual(own);
  });

  test("a bare host or a path is refused with a clear message", () => {
    expect(() => parseOrigins("infill.example")).toThrow(/not a full origin/);
    expect(() => parseOrigins("https://infill.example/api")).toThrow(/bare http\(s\) origin/);
  });
});

describe("npm run package", () => {
  test("writes a .ccx zip of the built folder with manifest.json at its root", async () => {
    const { packageCcx } = require(path.join(root, "scripts", "package-ccx.js"));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ccx-"));
    const file: string = await packageCcx(out);
    const manifest = JSON.parse(read("manifest.json").toString("utf8"));
    expect(path.basename(file)).toBe(`${manifest.id}_${manifest.version}.ccx`);
    const entries = unzipSync(new Uint8Array(fs.readFileSync(file)));
    const names = Object.keys(entries).filter((n) => !n.endsWith("/"));
    expect(names.some((f) => f.startsWith("/") || f.includes(".."))).toBe(false);
    expect(JSON.parse(strFromU8(entries["manifest.json"]))).toEqual(manifest);
    for (const f of [manifest.main, "index.js", "ui/index.html", ...iconFiles(manifest).map((i) => i.file)]) {
      expect(names).toContain(f);
      expect(Buffer.from(entries[f]).equals(read(f))).toBe(true);
    }
  });
});
