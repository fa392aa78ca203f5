// @ts-nocheck
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { longTimeout, MAX_TIMER_MS, timeoutSignal } from "../../src/timers.js";

const HOUR = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("long timers", () => {
  it("a 600h timeout fires after 600h, not after 1 ms (setTimeout overflows past 2^31-1 ms)", async () => {
    const fired = vi.fn();
    longTimeout(fired, 600 * HOUR);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(600 * HOUR - MAX_TIMER_MS - 20);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it("can be cancelled in any slice", async () => {
    const fired = vi.fn();
    const timer = longTimeout(fired, 600 * HOUR);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    timer.cancel();
    await vi.advanceTimersByTimeAsync(600 * HOUR);
    expect(fired).not.toHaveBeenCalled();
  });

  it("a long timeout signal aborts at its time with a TimeoutError", async () => {
    const signal = timeoutSignal(600 * HOUR);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    expect(signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(600 * HOUR);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe("TimeoutError");
  });
});
