// @ts-nocheck
// Every comparator of the prometheus step at, above and below its bound, against a real HTTP server on
// 127.0.0.1 that answers the instant query with a fixed value (so the bound itself can be hit exactly).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { execute } from "../../../src/checks/prometheus.js";
import { execContext } from "./monitor-context.js";

let server: Server;
let url: string;
let value = "0";

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        status: "success",
        data: { resultType: "vector", result: [{ metric: {}, value: [1764489600, value] }] },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

type Op = "lt" | "lte" | "gt" | "gte" | "eq";
const BOUND = 0.1;
const CASES: [Op, string, "passed" | "failed"][] = [
  ["lt", "0.09", "passed"],
  ["lt", "0.1", "failed"],
  ["lt", "0.11", "failed"],
  ["lte", "0.09", "passed"],
  ["lte", "0.1", "passed"],
  ["lte", "0.11", "failed"],
  ["gt", "0.09", "failed"],
  ["gt", "0.1", "failed"],
  ["gt", "0.11", "passed"],
  ["gte", "0.09", "failed"],
  ["gte", "0.1", "passed"],
  ["gte", "0.11", "passed"],
  ["eq", "0.09", "failed"],
  ["eq", "0.1", "passed"],
  ["eq", "0.11", "failed"],
];

describe("prometheus comparators at, above and below the bound", () => {
  it.each(CASES)("%s %s against 0.1: %s", async (op, measured, expected) => {
    value = measured;
    const step = { id: "q", prometheus: { url, query: "up", expect: { [op]: BOUND } } } as Step;
    const out = await execute(step, execContext());
    expect(out.status).toBe(expected);
  });

  it("gt 0 as staging.yaml uses it: 0 fails, a positive value passes", async () => {
    const step = { id: "q", prometheus: { url, query: "up", expect: { gt: 0 } } } as Step;
    value = "0";
    expect((await execute(step, execContext())).status).toBe("failed");
    value = "1";
    expect((await execute(step, execContext())).status).toBe("passed");
  });

  it("two bounds must both hold (a window)", async () => {
    const step = { id: "q", prometheus: { url, query: "up", expect: { gte: 1, lt: 3 } } } as Step;
    for (const [v, status] of [
      ["0.5", "failed"],
      ["1", "passed"],
      ["2.9", "passed"],
      ["3", "failed"],
    ] as const) {
      value = v;
      expect((await execute(step, execContext())).status, v).toBe(status);
    }
  });
});
