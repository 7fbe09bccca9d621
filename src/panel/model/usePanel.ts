// React hook: the panel state from host events, and the commands the UI sends.

import { useCallback, useEffect, useMemo, useReducer } from "react";
import type { JobParams } from "../../common/jobs";
import type { CommandOf } from "../../common/protocol/commands";
import type { SettingsPatch } from "../../common/protocol/settings-schema";
import type { PanelLink } from "./link";
import { initialState, reduce, thumbKey } from "./state";

export function usePanel(link: PanelLink) {
  const [state, dispatch] = useReducer(reduce, initialState);

  useEffect(() => {
    const off = link.subscribe((event) => dispatch({ type: "event", event }));
    link.send({ type: "hello", panelVersion: "1" });
    link.send({ type: "settings.get" });
    link.send({ type: "documents.list" });
    link.send({ type: "jobs.list" });
    dispatch({ type: "testing", id: link.send({ type: "connection.test" }) });
    return off;
  }, [link]);

  const actions = useMemo(
    () => ({
      // JobParams interfaces are what the loose schema accepts (checked in params-schema.ts).
      run: (params: JobParams) => link.send({ type: "job.run", params: params as CommandOf<"job.run">["params"] }),
      cancel: (jobId: string) => link.send({ type: "job.cancel", jobId }),
      selectVariation: (jobId: string, index: number) => link.send({ type: "variation.select", jobId, index }),
      keepVariation: (jobId: string, index: number) => link.send({ type: "variation.keep", jobId, index }),
      moreLike: (jobId: string, index: number, numVariations: number) => link.send({ type: "variation.similar", jobId, index, numVariations }),
      reapply: (jobId: string) => link.send({ type: "kept.reapply", jobId }),
      dismiss: (jobId: string) => link.send({ type: "kept.dismiss", jobId }),
      listDocuments: () => link.send({ type: "documents.list" }),
      listLayers: (docId: number) => link.send({ type: "layers.list", docId }),
      saveSettings: (settings: SettingsPatch) => link.send({ type: "settings.set", settings }),
      listModels: () => dispatch({ type: "modelsRequested", id: link.send({ type: "models.list" }) }),
      requestThumbnail: (docId: number, layerId?: number) =>
        dispatch({
          type: "thumbRequested",
          id: link.send({ type: "thumbnail.get", docId, ...(layerId !== undefined ? { layerId } : {}) }),
          key: thumbKey(docId, layerId),
        }),
      testConnection: () => {
        const id = link.send({ type: "connection.test" });
        dispatch({ type: "testing", id });
        return id;
      },
    }),
    [link],
  );
  const dismissError = useCallback(() => dispatch({ type: "dismissError" }), []);
  return { state, actions: { ...actions, dismissError } };
}

export type PanelActions = ReturnType<typeof usePanel>["actions"];
