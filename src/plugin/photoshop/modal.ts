// One place that enters Photoshop's modal state. Everything that reads or writes the document goes
// through `runModal`: it retries briefly when another plugin holds the modal state, turns the user's
// cancel (Esc / progress-bar Cancel) and an AbortSignal into HostError("cancelled"), and maps every
// other failure to a HostError. No network call is ever made from inside `body`.

import { core } from "photoshop";
import type { ExecuteAsModalOptions, ExecutionContext } from "photoshop/dom/CoreModules";
import { HostError, type HostErrorCode } from "../../common/host";

/** `timeOut` (PS 25.10+) is documented but missing from @types/photoshop 25.0.4. */
type ModalOptions = ExecuteAsModalOptions & { timeOut?: number };

export interface ModalSettings {
  /** Extra attempts when Photoshop says another plugin is modal (the first attempt not counted). */
  busyRetries: number;
  busyDelayMs: number;
  /** Passed as executeAsModal's `timeOut` (ms Photoshop itself waits for the modal state, PS 25.10+). */
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultModalSettings: ModalSettings = {
  busyRetries: 4,
  busyDelayMs: 400,
  waitMs: 1000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ModalScope {
  ctx: ExecutionContext;
  /** Throws HostError("cancelled") if the user or the caller cancelled. Call between steps. */
  checkpoint(): void;
  /** True once the user or the caller cancelled (Photoshop calls then throw their own errors). */
  cancelled(): boolean;
  progress(value: number, commandName?: string): void;
}

/**
 * Photoshop's answer when another plugin (or a dialog) holds the modal state: error number 9, with
 * "host is in a modal state" before 25.10 and "Plugin: <id> is running a modal command" since.
 */
export function isHostBusy(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const err = e as { number?: unknown; message?: unknown };
  if (err.number === 9 || err.number === "9") return true;
  return typeof err.message === "string" && /modal state|running a modal command/i.test(err.message);
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") {
    return (e as { message: string }).message;
  }
  return String(e);
}

export const cancelled = () => new HostError("cancelled", "Cancelled. The document was left as it was.");

export async function runModal<T>(
  commandName: string,
  body: (scope: ModalScope) => Promise<T>,
  options: { signal?: AbortSignal; failCode: HostErrorCode; failMessage: string; settings: ModalSettings },
): Promise<T> {
  const { signal, settings } = options;
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw cancelled();
    let entered = false;
    let userCancelled = false;
    try {
      const modalOptions: ModalOptions = { commandName, timeOut: settings.waitMs };
      return await core.executeAsModal(async (ctx) => {
        entered = true;
        ctx.onCancel = () => {
          userCancelled = true;
        };
        const scope: ModalScope = {
          ctx,
          checkpoint() {
            if (scope.cancelled()) throw cancelled();
          },
          cancelled: () => userCancelled || ctx.isCancelled || !!signal?.aborted,
          progress(value, name) {
            ctx.reportProgress(name === undefined ? { value } : { value, commandName: name });
          },
        };
        scope.checkpoint();
        return body(scope);
      }, modalOptions);
    } catch (e) {
      if (e instanceof HostError) throw e;
      if (!entered && isHostBusy(e)) {
        if (attempt < settings.busyRetries) {
          await settings.sleep(settings.busyDelayMs);
          continue;
        }
        throw new HostError("host_busy", "Photoshop is busy: another plugin is working or a dialog is open.", errorText(e));
      }
      if (userCancelled || signal?.aborted) throw cancelled();
      throw new HostError(options.failCode, options.failMessage, errorText(e));
    }
  }
}
