// The parts of the `uxp` module Infill uses, typed from Adobe's UXP reference (no official typings
// that type `entrypoints.setup` correctly). Narrow on purpose.

declare module "uxp" {
  export interface UxpEntry {
    name: string;
    isFile: boolean;
    isFolder: boolean;
    delete(): Promise<unknown>;
  }
  export interface UxpFile extends UxpEntry {
    read(options?: { format?: unknown }): Promise<string | ArrayBuffer>;
    write(data: string | ArrayBuffer | Uint8Array, options?: { format?: unknown; append?: boolean }): Promise<number>;
  }
  export interface UxpFolder extends UxpEntry {
    getEntry(name: string): Promise<UxpEntry>;
    getEntries(): Promise<UxpEntry[]>;
    createFile(name: string, options?: { overwrite?: boolean }): Promise<UxpFile>;
    createFolder(name: string): Promise<UxpFolder>;
  }
  export interface PanelHandlers {
    create?(rootNode: HTMLElement): void | Promise<void>;
    show?(rootNode: HTMLElement, data?: unknown): void | Promise<void>;
    hide?(rootNode: HTMLElement, data?: unknown): void | Promise<void>;
    destroy?(rootNode: HTMLElement): void | Promise<void>;
    invokeMenu?(menuId: string): void;
    menuItems?: Array<{ id: string; label: string; enabled?: boolean; checked?: boolean }>;
  }
  export const entrypoints: {
    setup(config: {
      plugin?: { create?(): void | Promise<void>; destroy?(): void | Promise<void> };
      panels?: Record<string, PanelHandlers>;
      commands?: Record<string, unknown>;
    }): void;
  };
  export const storage: {
    secureStorage: {
      setItem(key: string, value: string | ArrayBuffer | Uint8Array): Promise<void>;
      getItem(key: string): Promise<Uint8Array | null | undefined>;
      removeItem(key: string): Promise<void>;
    };
    localFileSystem: {
      getDataFolder(): Promise<UxpFolder>;
      getTemporaryFolder(): Promise<UxpFolder>;
      getPluginFolder(): Promise<UxpFolder>;
    };
    formats: { utf8: unknown; binary: unknown };
  };
  export const host: { name: string; version: string; uiLocale?: string };
  export const versions: { uxp: string; plugin: string };
}
