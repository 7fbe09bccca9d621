// The Photoshop side: the only module that imports `photoshop` and `uxp`.
export { createPhotoshopHost, selectionBoundsOf } from "./host";
export { DataFolderPrefsStore, DataFolderResultStore, UxpSecretStore } from "./uxp-storage";
export { setupPanel, PANEL_ID, WEBVIEW_ID, WEBVIEW_SRC } from "./startup";
export { DEFAULT_BROKER_URL } from "./panel-runtime";
export { defaultModalSettings, type ModalSettings } from "./modal";
