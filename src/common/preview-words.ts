// What a job says about its instant preview, shared by the workflow that places it and the panel
// that words the wait around it.

/** Said on the job while the preview stands in for the results. */
export const PREVIEW_NOTE = "Showing an instant preview from the broker's local engine while Firefly works; the prompt is used only by Firefly.";
/** Added to a failure's message when the preview stays in the document. */
export const PREVIEW_KEPT = "The preview layer was kept; delete it if you do not want it.";
