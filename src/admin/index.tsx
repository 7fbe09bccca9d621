// Admin page entry: mounts the overview page with the tab's session key store.
import { createRoot } from "react-dom/client";
import { AdminApp } from "./AdminApp";
import { sessionKeyStore } from "./key-store";

createRoot(document.getElementById("root")!).render(<AdminApp keys={sessionKeyStore()} />);
