// The host bundle is rebuilt only when it is older than its sources, also after a build whose output
// came out byte for byte the same (webpack then leaves the file, and its old time, as they were).

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureHostBundle } from "./host-bundle";

test("a build that leaves the bundle's bytes unchanged is not run again by the next check", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-host-bundle-"));
  const bundle = path.join(dir, "index.js");
  fs.writeFileSync(bundle, "// bundle\n");
  const longAgo = new Date(Date.UTC(2000, 0, 1));
  fs.utimesSync(bundle, longAgo, longAgo);
  let builds = 0;
  const unchangedBuild = () => {
    builds++;
  };
  ensureHostBundle(bundle, unchangedBuild);
  expect(builds).toBe(1);
  ensureHostBundle(bundle, unchangedBuild);
  expect(builds).toBe(1);
  fs.rmSync(dir, { recursive: true, force: true });
});
