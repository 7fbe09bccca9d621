// The fake Firefly for the scale bench, in its own process. Jobs never finish (every poll is a
// "running"), so status polls keep going upstream (once per job per second, collapsed).
import { startFakeFirefly } from "../../test/fakes/firefly";

void (async () => {
  const ff = await startFakeFirefly({ pollsToFinish: 1e12 });
  process.send!({ url: ff.url, imsUrl: ff.imsUrl, clientId: ff.clientId, clientSecret: ff.clientSecret });
  process.on("disconnect", () => void ff.close().then(() => process.exit(0)));
})();
