// The baseline for the broker bench: a bare node:http pass-through proxy (keep-alive to the
// upstream, headers and bodies piped as they are), in its own process like the broker.
//   BENCH_UPSTREAM  the upstream's origin
import * as http from "http";
import { answerAsks } from "../support/procs";

const target = new URL(process.env.BENCH_UPSTREAM!);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const server = http.createServer((req, res) => {
  const up = http.request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on("error", () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.listen(0, "127.0.0.1", () => {
  answerAsks({}, async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  process.send!({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
});
