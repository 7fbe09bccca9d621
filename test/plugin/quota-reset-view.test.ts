// The broker's reset time of a used-up daily limit, passed on in the host's clock like the pause;
// an answer without it (an older broker, or a day not used up) passes none.

import type { QuotaAnswer } from "../../src/plugin/broker-client/quota";
import { QuotaAnswerSchema } from "../../src/plugin/broker-client/quota";
import { quotaView } from "../../src/plugin/controller/quota-poll";

const T = 1_700_000_000_000;
const answer = (day: QuotaAnswer["day"]): QuotaAnswer =>
  QuotaAnswerSchema.parse({
    now: T + 500, // the broker's clock runs half a second ahead of the host's
    day,
    minute: { used: 0, limit: 4 },
    pausedUntil: null,
    queue: { depth: 1 },
    waits: [null, null],
  });

test("the reset time is moved by the clocks' difference", () => {
  expect(quotaView(answer({ used: 9000, limit: 9000, resetsAt: T + 3_600_500 }), T).day).toEqual({ used: 9000, limit: 9000, resetsAt: T + 3_600_000 });
});

test("no reset time when the broker gives none", () => {
  expect(quotaView(answer({ used: 10, limit: 9000, resetsAt: null }), T).day).toStrictEqual({ used: 10, limit: 9000 });
  expect(quotaView(answer({ used: 10, limit: 9000 }), T).day).toStrictEqual({ used: 10, limit: 9000 });
});
