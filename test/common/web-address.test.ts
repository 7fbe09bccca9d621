// The address parser used where `URL` may be missing (UXP), checked against Node's URL.
import { parseWebAddress } from "../../src/common/net/web-address";

const same = [
  "http://127.0.0.1:8765",
  "http://localhost:8765/",
  "HTTPS://Broker.Example.COM:443/infill/",
  "http://[::1]:8765/x",
  "https://infill.studio.example/a/b?x=1#frag",
  "http://user:pw@host.example:80/p",
  "https://bucket.s3.amazonaws.com/k.png?X-Amz-Signature=abc",
];

describe("parseWebAddress", () => {
  it.each(same)("reads %s as URL does", (text) => {
    const u = new URL(text);
    const p = parseWebAddress(text)!;
    expect(p).not.toBeNull();
    expect({
      protocol: p.protocol,
      hostname: p.hostname,
      port: p.port,
      pathname: p.pathname,
      search: p.search,
      hash: p.hash,
      origin: p.origin,
      username: p.username,
      password: p.password,
    }).toEqual({
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port,
      pathname: u.pathname,
      search: u.search,
      hash: u.hash,
      origin: u.origin,
      username: u.username,
      password: u.password,
    });
  });

  it.each(["localhost:8765", "127.0.0.1:8765", "http://", "http://:80", "http://host:99999", "http://ho st/", "not a url", ""])("refuses %j", (text) => {
    expect(parseWebAddress(text)).toBeNull();
  });
});
