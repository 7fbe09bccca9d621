// The broker's used-up daily limit is a quota failure that says when to run the job again: the
// broker's retry-after is the moment its rolling day frees a place. Times of day are in UTC here.

process.env.TZ = "UTC";

import { classifyError } from "../../../src/common/firefly";

const NOW = Date.UTC(2026, 11, 5, 12, 40, 0);
const body = { error_code: "daily_limit_reached", message: "The organisation's daily Firefly limit is reached; try again later.", category: "quota" };

test("with the broker's retry-after, the message names the time of day", () => {
  const c = classifyError({ status: 429, body, headers: { "retry-after": String(8 * 3600 + 35 * 60) }, nowMs: NOW });
  expect(c.category).toBe("quota");
  expect(c.message).toBe("Your organisation's daily Firefly limit is used up. Run it again at 21:15, or ask your admin to raise the limit.");
  expect(c.retryAfterMs).toBe((8 * 3600 + 35 * 60) * 1000);
});

test("without one, it says later", () => {
  const c = classifyError({ status: 429, body, nowMs: NOW });
  expect(c.category).toBe("quota");
  expect(c.message).toBe("Your organisation's daily Firefly limit is used up. Run it again later, or ask your admin to raise the limit.");
});
