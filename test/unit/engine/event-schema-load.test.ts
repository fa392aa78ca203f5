// The journal decoder loads (issue 16): imported inside the test, not while this file loads, so a decoder
// whose schema table cannot even be built fails this test instead of failing to load the file (which
// Stryker's vitest runner reports as no test failing).
import { describe, expect, it } from "vitest";

describe("event-schema module", () => {
  it("loads, and its table decodes an event of every shape built with the shared fields", async () => {
    const { decodeEvent } = await import("../../../src/engine/event-schema.js");
    const at = "2026-11-30T08:00:00.000Z";
    const finished = { v: 1, at, type: "run-finished", exitCode: 0 };
    expect(decodeEvent(finished)).toEqual({ ok: true, event: finished });
    expect(decodeEvent({ ...finished, at: "" })).toEqual({
      ok: false,
      message: "run-finished event: at: Too small: expected string to have >=1 characters",
    });
  });
});
