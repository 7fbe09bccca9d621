// Panel entry: mounts the React Spectrum panel and connects it to the host through window.uxpHost.
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { windowLink } from "./model/link";

const root = createRoot(document.getElementById("root")!);
root.render(<App link={windowLink()} />);
