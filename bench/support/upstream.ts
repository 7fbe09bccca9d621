// The fake Firefly for the benches, in its own process so it does not share an event loop with
// what is measured. Jobs never finish (every poll is a "running"), so status polls keep going
// upstream.
import { startFakeFirefly } from "../../test/fakes/firefly";
import { answerAsks } from "./procs";

void (async () => {
  const ff = await startFakeFirefly({ pollsToFinish: 1e12 });
  answerAsks({}, () => ff.close());
  process.send!({ url: ff.url, imsUrl: ff.imsUrl, clientId: ff.clientId, clientSecret: ff.clientSecret });
})();
