// UXP documents no URL constructor (and URLSearchParams only from UXP 9.1): the plugin's code and the
// shared code it bundles read addresses with src/common/net/web-address.ts instead.
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "../..");
const FORBIDDEN = /\bnew\s+URL(SearchParams)?\s*\(|\bURL\s*\.\s*(parse|canParse|createObjectURL)\b/;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The source without comments (line and block), so prose may mention URL. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

test("no URL constructor in src/plugin or src/common", () => {
  const offenders = [...files(path.join(root, "src/plugin")), ...files(path.join(root, "src/common"))]
    .filter((f) => FORBIDDEN.test(code(fs.readFileSync(f, "utf8"))))
    .map((f) => path.relative(root, f));
  expect(offenders).toEqual([]);
});

test("the check sees a constructor call", () => {
  expect(FORBIDDEN.test(code("const u = new URL(text); // fine"))).toBe(true);
  expect(FORBIDDEN.test(code("// new URL(text) in a comment"))).toBe(false);
});
