// A recording fake of the `uxp` module (jest maps `uxp` here), behaving as Adobe's UXP reference says:
// - secureStorage.setItem(key, string | ArrayBuffer | TypedArray) rejects an empty value; getItem
//   resolves with a Uint8Array (bytes, not a string); what getItem does for a missing key is not
//   documented, so `fakeUxp.missingItem` picks one of the plausible answers; removeItem rejects when
//   nothing is stored;
// - localFileSystem folders: getEntry rejects for a missing name, createFile({overwrite}) creates,
//   read/write with storage.formats.utf8 (strings) or binary (ArrayBuffer);
// - entrypoints.setup may be called once.

const utf8 = Symbol("utf8");
const binary = Symbol("binary");

type Node = { kind: "file"; data: Uint8Array } | { kind: "folder"; children: Map<string, Node> };

class FakeUxp {
  secure = new Map<string, Uint8Array>();
  missingItem: "null" | "undefined" | "reject" | "empty" = "null";
  setupCalls: any[] = [];
  root: Node = { kind: "folder", children: new Map() };
  pluginFolder: Node = { kind: "folder", children: new Map() };
  writes: string[] = [];
  reset() {
    this.secure = new Map();
    this.missingItem = "null";
    this.setupCalls = [];
    this.root = { kind: "folder", children: new Map() };
    this.pluginFolder = { kind: "folder", children: new Map() };
    this.writes = [];
  }
  /** Text of a file in the data folder, e.g. fakeUxp.readText("preferences.json"). */
  readText(path: string): string | null {
    let node: Node | undefined = this.root;
    for (const part of path.split("/")) node = node?.kind === "folder" ? node.children.get(part) : undefined;
    return node?.kind === "file" ? new TextDecoder().decode(node.data) : null;
  }
  /** Every byte stored anywhere (secure storage excluded), as text: for "is the key on disk?" checks. */
  allFileText(): string {
    const out: string[] = [];
    const walk = (n: Node) => {
      if (n.kind === "file") out.push(new TextDecoder().decode(n.data));
      else for (const c of n.children.values()) walk(c);
    };
    walk(this.root);
    return out.join("\n");
  }
}

export const fakeUxp = new FakeUxp();

function toBytes(value: unknown): Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  throw new TypeError("value must be a string, ArrayBuffer or TypedArray");
}

function entry(name: string, node: Node, parent: Map<string, Node>, path: string): any {
  const base = {
    name,
    isFile: node.kind === "file",
    isFolder: node.kind === "folder",
    async delete() {
      parent.delete(name);
    },
  };
  if (node.kind === "file") {
    return {
      ...base,
      async read(options?: { format?: unknown }) {
        const current = parent.get(name);
        if (!current || current.kind !== "file") throw new Error("file no longer exists");
        if (options?.format === binary) return current.data.slice().buffer;
        return new TextDecoder().decode(current.data);
      },
      async write(data: unknown, options?: { format?: unknown }) {
        if (options?.format === binary && typeof data === "string") throw new TypeError("binary write needs an ArrayBuffer");
        const bytes = toBytes(data);
        parent.set(name, { kind: "file", data: bytes });
        fakeUxp.writes.push(path);
        return bytes.length;
      },
    };
  }
  return folder(node, path, base);
}

function folder(node: Node & { kind: "folder" }, path: string, base: any = { name: path, isFile: false, isFolder: true, delete: async () => undefined }): any {
  return {
    ...base,
    async getEntry(name: string) {
      const n = node.children.get(name);
      if (!n) throw new Error(`entry not found: ${name}`);
      return entry(name, n, node.children, `${path}/${name}`);
    },
    async getEntries() {
      return [...node.children.entries()].map(([n, c]) => entry(n, c, node.children, `${path}/${n}`));
    },
    async createFile(name: string, options?: { overwrite?: boolean }) {
      const existing = node.children.get(name);
      if (existing && !options?.overwrite) throw new Error("file exists");
      // The entry exists; the file appears on first write.
      const placeholder: Node = existing?.kind === "file" ? existing : { kind: "file", data: new Uint8Array(0) };
      return entry(name, placeholder, node.children, `${path}/${name}`);
    },
    async createFolder(name: string) {
      if (node.children.has(name)) throw new Error("exists");
      const n: Node = { kind: "folder", children: new Map() };
      node.children.set(name, n);
      return entry(name, n, node.children, `${path}/${name}`);
    },
  };
}

export const storage = {
  formats: { utf8, binary },
  secureStorage: {
    async setItem(key: string, value: unknown) {
      if (typeof key !== "string") throw new TypeError("key must be a string");
      const bytes = toBytes(value);
      if (bytes.length === 0) throw new Error("empty value");
      fakeUxp.secure.set(key, bytes);
    },
    async getItem(key: string) {
      const v = fakeUxp.secure.get(key);
      if (v) return v.slice();
      switch (fakeUxp.missingItem) {
        case "null":
          return null;
        case "undefined":
          return undefined;
        case "empty":
          return new Uint8Array(0);
        case "reject":
          throw new Error("item not found");
      }
    },
    async removeItem(key: string) {
      if (!fakeUxp.secure.delete(key)) throw new Error("item not found");
    },
  },
  localFileSystem: {
    async getDataFolder() {
      return folder(fakeUxp.root as Node & { kind: "folder" }, "plugin-data:");
    },
    async getPluginFolder() {
      return folder(fakeUxp.pluginFolder as Node & { kind: "folder" }, "plugin:");
    },
    async getTemporaryFolder() {
      return folder({ kind: "folder", children: new Map() }, "plugin-temp:");
    },
  },
};

export const entrypoints = {
  setup(config: any) {
    if (fakeUxp.setupCalls.length > 0) throw new Error("entrypoints.setup can be called only once");
    fakeUxp.setupCalls.push(config);
  },
};

export const host = { name: "Photoshop", version: "26.0.0", uiLocale: "en_US" };
export const versions = { uxp: "8.0.0", plugin: "0.1.0" };

export default { storage, entrypoints, host, versions };
