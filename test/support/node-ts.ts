// Node arguments that run the TypeScript sources in a child process (see scripts/register-ts.js).

import * as path from "path";

export const REGISTER_TS = path.join(__dirname, "..", "..", "scripts", "register-ts.js");

/** `node ${TS_NODE_ARGS} -e …` runs code that requires `.ts` files. */
export const TS_NODE_ARGS = ["-r", REGISTER_TS];
