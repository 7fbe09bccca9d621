// UXP host entry (dist/plugin/index.js, a classic script loaded by plugin/index.html). Only the panel
// shell is evaluated here; it calls entrypoints.setup at once and loads the rest when the panel opens.
import { setupPanel } from "./photoshop/startup";

setupPanel();
