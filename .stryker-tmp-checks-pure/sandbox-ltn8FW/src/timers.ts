// @ts-nocheck
// Timers for user durations: Node's setTimeout fires after 1 ms for any delay past 2^31-1 ms (24.8 days),
// so a long delay is waited in slices. Durations are bounded by the checklist schema; this is the net.

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  cancel(): void;
}

/** Call `fn` once after `ms` (any finite length; NaN or negative count as 0). */
export function longTimeout(fn: () => void, ms: number, options: { unref?: boolean } = {}): LongTimer {
  let left = Number.isFinite(ms) ? Math.max(0, ms) : ms === Number.POSITIVE_INFINITY ? ms : 0;
  let handle: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const slice = Math.min(left, MAX_TIMER_MS);
    left -= slice;
    handle = setTimeout(() => {
      if (left > 0) arm();
      else fn();
    }, slice);
    if (options.unref) handle.unref?.();
  };
  arm();
  return {
    cancel() {
      if (handle !== undefined) clearTimeout(handle);
    },
  };
}

/** AbortSignal.timeout for any length (it too fires at once past 2^31-1 ms); unref'd like it. */
export function timeoutSignal(ms: number): AbortSignal {
  if (ms <= MAX_TIMER_MS) return AbortSignal.timeout(Math.max(0, ms));
  const controller = new AbortController();
  longTimeout(
    () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    ms,
    { unref: true },
  );
  return controller.signal;
}
