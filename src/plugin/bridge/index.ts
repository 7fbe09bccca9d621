export { createWebviewPort, bufferUntilListened, type WebviewLike, type MessageTargetLike, type MessageEventLike } from "./webview-port";
export { createPagePort, createPanelClient, type PageWindowLike } from "./page-port";
export { createUxpThemeSource, themeFromColor, type ThemeDocumentLike } from "./theme";
