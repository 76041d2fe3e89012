import { describe, expect, it } from "vitest";
import { createRetryAfter, OVERLOAD_REFUSALS } from "./retry-after.js";

/** A controller on a clock the test moves, with no jitter (random 0). */
function controller(max = 60) {
  let t = 0;
  const retryAfter = createRetryAfter(
    max,
    () => t,
    () => 0,
  );
  return { retryAfter, advance: (ms: number) => (t += ms) };
}

const refuse = (r: ReturnType<typeof createRetryAfter>, n: number) => {
  let last = 0;
  for (let i = 0; i < n; i++) last = r.refused();
  return last;
};

describe("adaptive Retry-After", () => {
  it("says 1 s while refusals are few", () => {
    const { retryAfter, advance } = controller();
    expect(refuse(retryAfter, OVERLOAD_REFUSALS)).toBe(1);
    advance(1000);
    expect(refuse(retryAfter, 1)).toBe(1);
  });

  it("doubles each second refusals outnumber completions, up to the bound, and halves once they do not", () => {
    const { retryAfter, advance } = controller(8);
    const seen: number[] = [];
    for (let s = 0; s < 6; s++) {
      seen.push(refuse(retryAfter, 50));
      advance(1000);
    }
    expect(seen).toEqual([1, 2, 4, 8, 8, 8]);
    // A second with more completions than refusals: halved.
    for (let i = 0; i < 20; i++) retryAfter.completed();
    advance(1000);
    expect(refuse(retryAfter, 1)).toBe(4);
    // Quiet seconds halve it further.
    advance(3000);
    expect(refuse(retryAfter, 1)).toBe(1);
  });

  it("adds up to half the wait at random, never less than the wait", () => {
    let t = 0;
    let r = 0.99;
    const retryAfter = createRetryAfter(
      60,
      () => t,
      () => r,
    );
    for (let s = 0; s < 4; s++) {
      refuse(retryAfter, 50);
      t += 1000;
    }
    expect(retryAfter.refused()).toBe(16 + 8);
    r = 0;
    expect(retryAfter.refused()).toBe(16);
  });
});
