// Photoshop's action notifications → the Host's change events. Notifications are silenced while a
// (non-interactive) modal scope runs, so the controller also polls cheaply; these only make it quicker.

import { action } from "photoshop";
import type { ActionDescriptor } from "photoshop/dom/CoreModules";
import type { HostChange } from "../../common/host";

export const WATCHED_EVENTS = ["open", "close", "make", "select", "set", "delete", "canvasSize", "imageSize", "crop", "historyStateChanged"] as const;

function targetsSelection(d: ActionDescriptor | undefined): boolean {
  const target = (d as { _target?: unknown } | undefined)?._target;
  const refs = Array.isArray(target) ? target : target ? [target] : [];
  return refs.some((r) => typeof r === "object" && r !== null && (r as { _property?: unknown })._property === "selection");
}

function targetsDocument(d: ActionDescriptor | undefined): boolean {
  const made = (d as { new?: { _class?: unknown } } | undefined)?.new;
  return made?._class === "document";
}

/** Translates one notification; `activeId` is read lazily (the DOM may be mid-change). */
export function translate(name: string, descriptor: ActionDescriptor | undefined, activeId: () => number | null): HostChange[] {
  const id = activeId();
  switch (name) {
    case "open":
    case "close":
      return [{ type: "documentsChanged" }, { type: "activeDocumentChanged", docId: id }];
    case "make":
      if (targetsDocument(descriptor)) return [{ type: "documentsChanged" }, { type: "activeDocumentChanged", docId: id }];
      return id === null ? [] : [{ type: "documentEdited", docId: id }];
    case "select":
      return [{ type: "activeDocumentChanged", docId: id }];
    case "set":
      if (id === null) return [];
      return targetsSelection(descriptor) ? [{ type: "selectionChanged", docId: id }] : [{ type: "documentEdited", docId: id }];
    default:
      // canvasSize, imageSize, crop, delete, history (undo may restore a selection): re-read everything.
      return id === null
        ? []
        : [
            { type: "documentEdited", docId: id },
            { type: "selectionChanged", docId: id },
          ];
  }
}

/** One Photoshop listener shared by every Host subscriber. */
export function createNotificationHub(activeId: () => number | null) {
  const listeners = new Set<(e: HostChange) => void>();
  let attached = false;
  const onNotification = (name: string, descriptor: ActionDescriptor) => {
    for (const event of translate(name, descriptor, activeId)) {
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch {
          // a subscriber's failure must not break the others
        }
      }
    }
  };
  return {
    subscribe(listener: (e: HostChange) => void): () => void {
      listeners.add(listener);
      if (!attached) {
        attached = true;
        action.addNotificationListener([...WATCHED_EVENTS], onNotification).catch(() => {
          attached = false; // polling still covers it
        });
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && attached) {
          attached = false;
          action.removeNotificationListener([...WATCHED_EVENTS], onNotification).catch(() => undefined);
        }
      };
    },
  };
}
