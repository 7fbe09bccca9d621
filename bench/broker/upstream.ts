// The fake Firefly for the bench, in its own process so it does not share an event loop with the
// broker or the pass-through proxy being measured. Jobs never finish (every poll is a "running").
import { startFakeFirefly } from "../../test/fakes/firefly";

void (async () => {
  const ff = await startFakeFirefly({ pollsToFinish: 1e12 });
  process.send!({ url: ff.url, imsUrl: ff.imsUrl, clientId: ff.clientId, clientSecret: ff.clientSecret });
  process.on("disconnect", () => void ff.close().then(() => process.exit(0)));
})();
