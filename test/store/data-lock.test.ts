// The data-folder lock's staleness rule, in this process's own pid namespace.
import { currentOwner, ownerLives, parseOwner, processStartTime } from "../../src/broker/store/data-lock";

const linux = process.platform === "linux";

(linux ? test : test.skip)("a live pid is the owner only with the recorded start time and boot", () => {
  const me = currentOwner();
  expect(me.start).toBe(processStartTime(process.pid));
  expect(ownerLives(me, me)).toBe("yes");
  // The same pid, started at another time: a reused pid (pid 1 in a restarted container).
  expect(ownerLives({ ...me, start: String(Number(me.start) + 1) }, me)).toBe("no");
  expect(ownerLives({ ...me, boot: "another-boot" }, me)).toBe("no");
  // Another pid namespace: only the lock's renewal can tell.
  expect(ownerLives({ ...me, pidNs: "pid:[1]" }, me)).toBe("renewal");
});

test("lock files: JSON owners and bare pids are read; anything else is no owner", () => {
  expect(parseOwner('{"pid":1,"start":"42","pidNs":"pid:[7]","boot":"b"}')).toEqual({ pid: 1, start: "42", pidNs: "pid:[7]", boot: "b" });
  expect(parseOwner("123\n")).toEqual({ pid: 123 });
  expect(parseOwner("")).toBeUndefined();
  expect(parseOwner('{"pid":-1}')).toBeUndefined();
});
