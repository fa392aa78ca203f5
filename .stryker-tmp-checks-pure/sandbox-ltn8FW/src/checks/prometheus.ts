// @ts-nocheck
// The `prometheus` step kind: an instant query whose single value is compared with `expect`, optionally
// repeated as a metric gate in the manner of Argo Rollouts analysis (count, interval, failure and
// inconclusive limits). No data (empty result, NaN) is inconclusive: a person decides, never the tool.
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
import { DURATION_BOUNDS } from "../checklist/kinds.js";
import type { NestedStep, PrometheusStep, Step } from "../checklist/schema.js";
import { interpolate, resolveDuration } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { excerpt, FetchFailure, fetchText, formatBytes, formatMs } from "./fetch-request.js";
import type { ExecContext, Executor } from "./types.js";
const REQUEST_TIMEOUT_MS = 30_000;
const OPERATORS = ["lt", "lte", "gt", "gte", "eq"] as const;
type Operator = (typeof OPERATORS)[number];
const SYMBOL: Record<Operator, string> = stryMutAct_9fa48("47") ? {} : (stryCov_9fa48("47"), {
  lt: stryMutAct_9fa48("48") ? "" : (stryCov_9fa48("48"), "<"),
  lte: stryMutAct_9fa48("49") ? "" : (stryCov_9fa48("49"), "≤"),
  gt: stryMutAct_9fa48("50") ? "" : (stryCov_9fa48("50"), ">"),
  gte: stryMutAct_9fa48("51") ? "" : (stryCov_9fa48("51"), "≥"),
  eq: stryMutAct_9fa48("52") ? "" : (stryCov_9fa48("52"), "=")
});
export type MeasurementResult = "passed" | "failed" | "inconclusive";
export interface Measurement {
  at: string;
  /** The value as Prometheus sent it ("NaN", "+Inf", "0.012"); absent for an empty result. */
  value?: string;
  result: MeasurementResult;
  reason: string;
}

/** A query that could not be measured at all: unreachable server, PromQL error, several series. */
class QueryError extends Error {
  override name = stryMutAct_9fa48("53") ? "" : (stryCov_9fa48("53"), "QueryError");
}

/** The URL of the instant-query endpoint for a configured Prometheus URL (base or full endpoint). */
export function queryEndpoint(url: string): string {
  if (stryMutAct_9fa48("54")) {
    {}
  } else {
    stryCov_9fa48("54");
    const trimmed = url.replace(stryMutAct_9fa48("56") ? /\/$/ : stryMutAct_9fa48("55") ? /\/+/ : (stryCov_9fa48("55", "56"), /\/+$/), stryMutAct_9fa48("57") ? "Stryker was here!" : (stryCov_9fa48("57"), ""));
    return (stryMutAct_9fa48("58") ? /\/api\/v1\/query/ : (stryCov_9fa48("58"), /\/api\/v1\/query$/)).test(trimmed) ? trimmed : stryMutAct_9fa48("59") ? `` : (stryCov_9fa48("59"), `${trimmed}/api/v1/query`);
  }
}
function comparisons(expect: PrometheusStep["expect"]): [Operator, number][] {
  if (stryMutAct_9fa48("60")) {
    {}
  } else {
    stryCov_9fa48("60");
    return stryMutAct_9fa48("61") ? OPERATORS.map(op => [op, expect[op]!]) : (stryCov_9fa48("61"), OPERATORS.filter(stryMutAct_9fa48("62") ? () => undefined : (stryCov_9fa48("62"), op => stryMutAct_9fa48("65") ? expect[op] === undefined : stryMutAct_9fa48("64") ? false : stryMutAct_9fa48("63") ? true : (stryCov_9fa48("63", "64", "65"), expect[op] !== undefined))).map(stryMutAct_9fa48("66") ? () => undefined : (stryCov_9fa48("66"), op => stryMutAct_9fa48("67") ? [] : (stryCov_9fa48("67"), [op, expect[op]!]))));
  }
}
function holds(op: Operator, value: number, bound: number): boolean {
  if (stryMutAct_9fa48("68")) {
    {}
  } else {
    stryCov_9fa48("68");
    switch (op) {
      case stryMutAct_9fa48("70") ? "" : (stryCov_9fa48("70"), "lt"):
        if (stryMutAct_9fa48("69")) {} else {
          stryCov_9fa48("69");
          return stryMutAct_9fa48("74") ? value >= bound : stryMutAct_9fa48("73") ? value <= bound : stryMutAct_9fa48("72") ? false : stryMutAct_9fa48("71") ? true : (stryCov_9fa48("71", "72", "73", "74"), value < bound);
        }
      case stryMutAct_9fa48("76") ? "" : (stryCov_9fa48("76"), "lte"):
        if (stryMutAct_9fa48("75")) {} else {
          stryCov_9fa48("75");
          return stryMutAct_9fa48("80") ? value > bound : stryMutAct_9fa48("79") ? value < bound : stryMutAct_9fa48("78") ? false : stryMutAct_9fa48("77") ? true : (stryCov_9fa48("77", "78", "79", "80"), value <= bound);
        }
      case stryMutAct_9fa48("82") ? "" : (stryCov_9fa48("82"), "gt"):
        if (stryMutAct_9fa48("81")) {} else {
          stryCov_9fa48("81");
          return stryMutAct_9fa48("86") ? value <= bound : stryMutAct_9fa48("85") ? value >= bound : stryMutAct_9fa48("84") ? false : stryMutAct_9fa48("83") ? true : (stryCov_9fa48("83", "84", "85", "86"), value > bound);
        }
      case stryMutAct_9fa48("88") ? "" : (stryCov_9fa48("88"), "gte"):
        if (stryMutAct_9fa48("87")) {} else {
          stryCov_9fa48("87");
          return stryMutAct_9fa48("92") ? value < bound : stryMutAct_9fa48("91") ? value > bound : stryMutAct_9fa48("90") ? false : stryMutAct_9fa48("89") ? true : (stryCov_9fa48("89", "90", "91", "92"), value >= bound);
        }
      case stryMutAct_9fa48("94") ? "" : (stryCov_9fa48("94"), "eq"):
        if (stryMutAct_9fa48("93")) {} else {
          stryCov_9fa48("93");
          return stryMutAct_9fa48("97") ? value !== bound : stryMutAct_9fa48("96") ? false : stryMutAct_9fa48("95") ? true : (stryCov_9fa48("95", "96", "97"), value === bound);
        }
    }
  }
}
export function describeExpect(expect: PrometheusStep["expect"]): string {
  if (stryMutAct_9fa48("98")) {
    {}
  } else {
    stryCov_9fa48("98");
    return comparisons(expect).map(stryMutAct_9fa48("99") ? () => undefined : (stryCov_9fa48("99"), ([op, n]) => stryMutAct_9fa48("100") ? `` : (stryCov_9fa48("100"), `${SYMBOL[op]} ${n}`))).join(stryMutAct_9fa48("101") ? "" : (stryCov_9fa48("101"), " and "));
  }
}
function formatValue(v: number): string {
  if (stryMutAct_9fa48("102")) {
    {}
  } else {
    stryCov_9fa48("102");
    if (stryMutAct_9fa48("104") ? false : stryMutAct_9fa48("103") ? true : (stryCov_9fa48("103", "104"), Number.isNaN(v))) return stryMutAct_9fa48("105") ? "" : (stryCov_9fa48("105"), "NaN");
    if (stryMutAct_9fa48("108") ? false : stryMutAct_9fa48("107") ? true : stryMutAct_9fa48("106") ? Number.isFinite(v) : (stryCov_9fa48("106", "107", "108"), !Number.isFinite(v))) return (stryMutAct_9fa48("112") ? v <= 0 : stryMutAct_9fa48("111") ? v >= 0 : stryMutAct_9fa48("110") ? false : stryMutAct_9fa48("109") ? true : (stryCov_9fa48("109", "110", "111", "112"), v > 0)) ? stryMutAct_9fa48("113") ? "" : (stryCov_9fa48("113"), "+Inf") : stryMutAct_9fa48("114") ? "" : (stryCov_9fa48("114"), "-Inf");
    if (stryMutAct_9fa48("116") ? false : stryMutAct_9fa48("115") ? true : (stryCov_9fa48("115", "116"), Number.isInteger(v))) return String(v);
    return String(Number(v.toPrecision(4)));
  }
}
function parseSampleValue(text: unknown): number {
  if (stryMutAct_9fa48("117")) {
    {}
  } else {
    stryCov_9fa48("117");
    if (stryMutAct_9fa48("120") ? text === "+Inf" && text === "Inf" : stryMutAct_9fa48("119") ? false : stryMutAct_9fa48("118") ? true : (stryCov_9fa48("118", "119", "120"), (stryMutAct_9fa48("122") ? text !== "+Inf" : stryMutAct_9fa48("121") ? false : (stryCov_9fa48("121", "122"), text === (stryMutAct_9fa48("123") ? "" : (stryCov_9fa48("123"), "+Inf")))) || (stryMutAct_9fa48("125") ? text !== "Inf" : stryMutAct_9fa48("124") ? false : (stryCov_9fa48("124", "125"), text === (stryMutAct_9fa48("126") ? "" : (stryCov_9fa48("126"), "Inf")))))) return Number.POSITIVE_INFINITY;
    if (stryMutAct_9fa48("129") ? text !== "-Inf" : stryMutAct_9fa48("128") ? false : stryMutAct_9fa48("127") ? true : (stryCov_9fa48("127", "128", "129"), text === (stryMutAct_9fa48("130") ? "" : (stryCov_9fa48("130"), "-Inf")))) return Number.NEGATIVE_INFINITY;
    return (stryMutAct_9fa48("133") ? typeof text !== "string" : stryMutAct_9fa48("132") ? false : stryMutAct_9fa48("131") ? true : (stryCov_9fa48("131", "132", "133"), typeof text === (stryMutAct_9fa48("134") ? "" : (stryCov_9fa48("134"), "string")))) ? Number(text) : Number.NaN;
  }
}
function seriesName(metric: Record<string, string> | undefined): string {
  if (stryMutAct_9fa48("135")) {
    {}
  } else {
    stryCov_9fa48("135");
    const {
      __name__: name = stryMutAct_9fa48("136") ? "Stryker was here!" : (stryCov_9fa48("136"), ""),
      ...labels
    } = stryMutAct_9fa48("137") ? metric && {} : (stryCov_9fa48("137"), metric ?? {});
    const inner = Object.entries(labels).map(stryMutAct_9fa48("138") ? () => undefined : (stryCov_9fa48("138"), ([k, v]) => stryMutAct_9fa48("139") ? `` : (stryCov_9fa48("139"), `${k}="${v}"`))).join(stryMutAct_9fa48("140") ? "" : (stryCov_9fa48("140"), ","));
    return stryMutAct_9fa48("141") ? `` : (stryCov_9fa48("141"), `${name}{${inner}}`);
  }
}

/** One instant query: the raw value string, or undefined for an empty result. Throws QueryError. */
async function instantQuery(endpoint: string, query: string, p: PrometheusStep, ctx: ExecContext, details: Record<string, unknown>): Promise<string | undefined> {
  if (stryMutAct_9fa48("142")) {
    {}
  } else {
    stryCov_9fa48("142");
    const url = stryMutAct_9fa48("143") ? `` : (stryCov_9fa48("143"), `${endpoint}?${new URLSearchParams(stryMutAct_9fa48("144") ? {} : (stryCov_9fa48("144"), {
      query
    })).toString()}`);
    let res: Awaited<ReturnType<typeof fetchText>>;
    try {
      if (stryMutAct_9fa48("145")) {
        {}
      } else {
        stryCov_9fa48("145");
        res = await fetchText(url, stryMutAct_9fa48("146") ? {} : (stryCov_9fa48("146"), {
          headers: stryMutAct_9fa48("147") ? {} : (stryCov_9fa48("147"), {
            accept: stryMutAct_9fa48("148") ? "" : (stryCov_9fa48("148"), "application/json")
          }),
          timeoutMs: stryMutAct_9fa48("149") ? Math.max(ctx.timeoutMs ?? REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS) : (stryCov_9fa48("149"), Math.min(stryMutAct_9fa48("150") ? ctx.timeoutMs && REQUEST_TIMEOUT_MS : (stryCov_9fa48("150"), ctx.timeoutMs ?? REQUEST_TIMEOUT_MS), REQUEST_TIMEOUT_MS)),
          signal: ctx.signal,
          followRedirects: stryMutAct_9fa48("151") ? p.followRedirects && "sameOrigin" : (stryCov_9fa48("151"), p.followRedirects ?? (stryMutAct_9fa48("152") ? "" : (stryCov_9fa48("152"), "sameOrigin")))
        }));
      }
    } catch (err) {
      if (stryMutAct_9fa48("153")) {
        {}
      } else {
        stryCov_9fa48("153");
        if (stryMutAct_9fa48("156") ? err instanceof FetchFailure || err.aborted : stryMutAct_9fa48("155") ? false : stryMutAct_9fa48("154") ? true : (stryCov_9fa48("154", "155", "156"), err instanceof FetchFailure && err.aborted)) throw err;
        throw new QueryError(stryMutAct_9fa48("157") ? `` : (stryCov_9fa48("157"), `cannot reach Prometheus at ${endpoint}: ${(err as Error).message}`));
      }
    }
    if (stryMutAct_9fa48("159") ? false : stryMutAct_9fa48("158") ? true : (stryCov_9fa48("158", "159"), res.redirects.length)) details[stryMutAct_9fa48("160") ? "" : (stryCov_9fa48("160"), "redirects")] = res.redirects.map(stryMutAct_9fa48("161") ? () => undefined : (stryCov_9fa48("161"), r => stryMutAct_9fa48("162") ? {} : (stryCov_9fa48("162"), {
      ...r,
      to: ctx.redact(r.to)
    })));
    const refused = res.redirects.find(stryMutAct_9fa48("163") ? () => undefined : (stryCov_9fa48("163"), r => stryMutAct_9fa48("164") ? r.followed : (stryCov_9fa48("164"), !r.followed)));
    if (stryMutAct_9fa48("166") ? false : stryMutAct_9fa48("165") ? true : (stryCov_9fa48("165", "166"), refused)) {
      if (stryMutAct_9fa48("167")) {
        {}
      } else {
        stryCov_9fa48("167");
        const hint = refused.crossOrigin ? stryMutAct_9fa48("168") ? "" : (stryCov_9fa48("168"), "; write the URL it redirects to, or set followRedirects: any") : stryMutAct_9fa48("169") ? "Stryker was here!" : (stryCov_9fa48("169"), "");
        throw new QueryError(stryMutAct_9fa48("170") ? `` : (stryCov_9fa48("170"), `Prometheus at ${endpoint} redirected (HTTP ${refused.status}) to ${refused.to}, not followed: ${refused.refused}${hint}`));
      }
    }
    if (stryMutAct_9fa48("172") ? false : stryMutAct_9fa48("171") ? true : (stryCov_9fa48("171", "172"), res.bodyTruncated)) {
      if (stryMutAct_9fa48("173")) {
        {}
      } else {
        stryCov_9fa48("173");
        throw new QueryError(stryMutAct_9fa48("174") ? `` : (stryCov_9fa48("174"), `Prometheus at ${endpoint} answered with more than ${formatBytes(Buffer.byteLength(res.body))} (${formatBytes(res.bodyBytes)}); a check needs one value: aggregate the series, e.g. sum(...) or max(...)`));
      }
    }
    let body: {
      status?: string;
      error?: string;
      errorType?: string;
      data?: {
        resultType?: string;
        result?: unknown;
      };
    };
    try {
      if (stryMutAct_9fa48("175")) {
        {}
      } else {
        stryCov_9fa48("175");
        body = JSON.parse(res.body);
      }
    } catch {
      if (stryMutAct_9fa48("176")) {
        {}
      } else {
        stryCov_9fa48("176");
        throw new QueryError(stryMutAct_9fa48("177") ? `` : (stryCov_9fa48("177"), `${endpoint} answered ${res.status} ${res.statusText} with something other than a Prometheus API answer: ${excerpt(ctx.redact(res.body), 120)}`));
      }
    }
    if (stryMutAct_9fa48("180") ? body.status === "success" : stryMutAct_9fa48("179") ? false : stryMutAct_9fa48("178") ? true : (stryCov_9fa48("178", "179", "180"), body.status !== (stryMutAct_9fa48("181") ? "" : (stryCov_9fa48("181"), "success")))) {
      if (stryMutAct_9fa48("182")) {
        {}
      } else {
        stryCov_9fa48("182");
        const kind = body.errorType ? stryMutAct_9fa48("183") ? `` : (stryCov_9fa48("183"), ` (${body.errorType})`) : stryMutAct_9fa48("184") ? "Stryker was here!" : (stryCov_9fa48("184"), "");
        throw new QueryError(stryMutAct_9fa48("185") ? `` : (stryCov_9fa48("185"), `Prometheus refused the query${kind}: ${stryMutAct_9fa48("186") ? body.error && `HTTP ${res.status}` : (stryCov_9fa48("186"), body.error ?? (stryMutAct_9fa48("187") ? `` : (stryCov_9fa48("187"), `HTTP ${res.status}`)))}`));
      }
    }
    const {
      resultType,
      result
    } = stryMutAct_9fa48("188") ? body.data && {} : (stryCov_9fa48("188"), body.data ?? {});
    if (stryMutAct_9fa48("191") ? resultType !== "scalar" : stryMutAct_9fa48("190") ? false : stryMutAct_9fa48("189") ? true : (stryCov_9fa48("189", "190", "191"), resultType === (stryMutAct_9fa48("192") ? "" : (stryCov_9fa48("192"), "scalar")))) return (result as [number, string])[1];
    if (stryMutAct_9fa48("195") ? resultType !== "vector" : stryMutAct_9fa48("194") ? false : stryMutAct_9fa48("193") ? true : (stryCov_9fa48("193", "194", "195"), resultType === (stryMutAct_9fa48("196") ? "" : (stryCov_9fa48("196"), "vector")))) {
      if (stryMutAct_9fa48("197")) {
        {}
      } else {
        stryCov_9fa48("197");
        const series = result as {
          metric?: Record<string, string>;
          value: [number, string];
        }[];
        if (stryMutAct_9fa48("200") ? series.length !== 0 : stryMutAct_9fa48("199") ? false : stryMutAct_9fa48("198") ? true : (stryCov_9fa48("198", "199", "200"), series.length === 0)) return undefined;
        if (stryMutAct_9fa48("204") ? series.length <= 1 : stryMutAct_9fa48("203") ? series.length >= 1 : stryMutAct_9fa48("202") ? false : stryMutAct_9fa48("201") ? true : (stryCov_9fa48("201", "202", "203", "204"), series.length > 1)) {
          if (stryMutAct_9fa48("205")) {
            {}
          } else {
            stryCov_9fa48("205");
            const names = stryMutAct_9fa48("206") ? series.map(s => seriesName(s.metric)).join(", ") : (stryCov_9fa48("206"), series.slice(0, 3).map(stryMutAct_9fa48("207") ? () => undefined : (stryCov_9fa48("207"), s => seriesName(s.metric))).join(stryMutAct_9fa48("208") ? "" : (stryCov_9fa48("208"), ", ")));
            throw new QueryError(stryMutAct_9fa48("209") ? `` : (stryCov_9fa48("209"), `the query returned ${series.length} series (${names}${(stryMutAct_9fa48("213") ? series.length <= 3 : stryMutAct_9fa48("212") ? series.length >= 3 : stryMutAct_9fa48("211") ? false : stryMutAct_9fa48("210") ? true : (stryCov_9fa48("210", "211", "212", "213"), series.length > 3)) ? stryMutAct_9fa48("214") ? "" : (stryCov_9fa48("214"), ", …") : stryMutAct_9fa48("215") ? "Stryker was here!" : (stryCov_9fa48("215"), "")}); a check needs one value: aggregate them, e.g. sum(...) or max(...)`));
          }
        }
        return series[0]!.value[1];
      }
    }
    throw new QueryError(stryMutAct_9fa48("216") ? `` : (stryCov_9fa48("216"), `the query returned a ${stryMutAct_9fa48("217") ? resultType && "result of unknown type" : (stryCov_9fa48("217"), resultType ?? (stryMutAct_9fa48("218") ? "" : (stryCov_9fa48("218"), "result of unknown type")))}; a check needs an instant vector or a scalar (no range selector at the top level)`));
  }
}
function judge(raw: string | undefined, expect: PrometheusStep["expect"], now: number): Measurement {
  if (stryMutAct_9fa48("219")) {
    {}
  } else {
    stryCov_9fa48("219");
    const at = new Date(now).toISOString();
    if (stryMutAct_9fa48("222") ? raw !== undefined : stryMutAct_9fa48("221") ? false : stryMutAct_9fa48("220") ? true : (stryCov_9fa48("220", "221", "222"), raw === undefined)) return stryMutAct_9fa48("223") ? {} : (stryCov_9fa48("223"), {
      at,
      result: stryMutAct_9fa48("224") ? "" : (stryCov_9fa48("224"), "inconclusive"),
      reason: stryMutAct_9fa48("225") ? "" : (stryCov_9fa48("225"), "empty result (no data)")
    });
    const value = parseSampleValue(raw);
    if (stryMutAct_9fa48("227") ? false : stryMutAct_9fa48("226") ? true : (stryCov_9fa48("226", "227"), Number.isNaN(value))) return stryMutAct_9fa48("228") ? {} : (stryCov_9fa48("228"), {
      at,
      value: raw,
      result: stryMutAct_9fa48("229") ? "" : (stryCov_9fa48("229"), "inconclusive"),
      reason: stryMutAct_9fa48("230") ? "" : (stryCov_9fa48("230"), "NaN (no data to compute from)")
    });
    const failed = stryMutAct_9fa48("231") ? comparisons(expect) : (stryCov_9fa48("231"), comparisons(expect).filter(stryMutAct_9fa48("232") ? () => undefined : (stryCov_9fa48("232"), ([op, n]) => stryMutAct_9fa48("233") ? holds(op, value, n) : (stryCov_9fa48("233"), !holds(op, value, n)))));
    if (stryMutAct_9fa48("236") ? failed.length !== 0 : stryMutAct_9fa48("235") ? false : stryMutAct_9fa48("234") ? true : (stryCov_9fa48("234", "235", "236"), failed.length === 0)) {
      if (stryMutAct_9fa48("237")) {
        {}
      } else {
        stryCov_9fa48("237");
        return stryMutAct_9fa48("238") ? {} : (stryCov_9fa48("238"), {
          at,
          value: raw,
          result: stryMutAct_9fa48("239") ? "" : (stryCov_9fa48("239"), "passed"),
          reason: stryMutAct_9fa48("240") ? `` : (stryCov_9fa48("240"), `${formatValue(value)} ${describeExpect(expect)}`)
        });
      }
    }
    const [op, n] = failed[0]!;
    return stryMutAct_9fa48("241") ? {} : (stryCov_9fa48("241"), {
      at,
      value: raw,
      result: stryMutAct_9fa48("242") ? "" : (stryCov_9fa48("242"), "failed"),
      reason: stryMutAct_9fa48("243") ? `` : (stryCov_9fa48("243"), `${formatValue(value)}, expected ${SYMBOL[op]} ${n}`)
    });
  }
}
interface Gate {
  count: number;
  intervalMs: number;
  failureLimit: number;
  inconclusiveLimit: number;
}
function gateOf(p: PrometheusStep, vars: Record<string, string>, env: Record<string, string | undefined>): Gate | undefined {
  if (stryMutAct_9fa48("244")) {
    {}
  } else {
    stryCov_9fa48("244");
    const isGate = stryMutAct_9fa48("247") ? (p.count !== undefined || p.interval !== undefined || p.failureLimit !== undefined) && p.inconclusiveLimit !== undefined : stryMutAct_9fa48("246") ? false : stryMutAct_9fa48("245") ? true : (stryCov_9fa48("245", "246", "247"), (stryMutAct_9fa48("249") ? (p.count !== undefined || p.interval !== undefined) && p.failureLimit !== undefined : stryMutAct_9fa48("248") ? false : (stryCov_9fa48("248", "249"), (stryMutAct_9fa48("251") ? p.count !== undefined && p.interval !== undefined : stryMutAct_9fa48("250") ? false : (stryCov_9fa48("250", "251"), (stryMutAct_9fa48("253") ? p.count === undefined : stryMutAct_9fa48("252") ? false : (stryCov_9fa48("252", "253"), p.count !== undefined)) || (stryMutAct_9fa48("255") ? p.interval === undefined : stryMutAct_9fa48("254") ? false : (stryCov_9fa48("254", "255"), p.interval !== undefined)))) || (stryMutAct_9fa48("257") ? p.failureLimit === undefined : stryMutAct_9fa48("256") ? false : (stryCov_9fa48("256", "257"), p.failureLimit !== undefined)))) || (stryMutAct_9fa48("259") ? p.inconclusiveLimit === undefined : stryMutAct_9fa48("258") ? false : (stryCov_9fa48("258", "259"), p.inconclusiveLimit !== undefined)));
    if (stryMutAct_9fa48("262") ? false : stryMutAct_9fa48("261") ? true : stryMutAct_9fa48("260") ? isGate : (stryCov_9fa48("260", "261", "262"), !isGate)) return undefined;
    return stryMutAct_9fa48("263") ? {} : (stryCov_9fa48("263"), {
      count: stryMutAct_9fa48("264") ? p.count && 1 : (stryCov_9fa48("264"), p.count ?? 1),
      intervalMs: p.interval ? resolveDuration(p.interval, vars, env, DURATION_BOUNDS.interval) : 0,
      failureLimit: stryMutAct_9fa48("265") ? p.failureLimit && 0 : (stryCov_9fa48("265"), p.failureLimit ?? 0),
      inconclusiveLimit: stryMutAct_9fa48("266") ? p.inconclusiveLimit && 0 : (stryCov_9fa48("266"), p.inconclusiveLimit ?? 0)
    });
  }
}
function prometheusOf(step: Step | NestedStep): PrometheusStep {
  if (stryMutAct_9fa48("267")) {
    {}
  } else {
    stryCov_9fa48("267");
    if (stryMutAct_9fa48("270") ? false : stryMutAct_9fa48("269") ? true : stryMutAct_9fa48("268") ? step.prometheus : (stryCov_9fa48("268", "269", "270"), !step.prometheus)) throw new Error(stryMutAct_9fa48("271") ? "" : (stryCov_9fa48("271"), "prometheus executor called for another kind"));
    return step.prometheus;
  }
}
export const execute: Executor = async (step, ctx): Promise<StepOutcome> => {
  if (stryMutAct_9fa48("272")) {
    {}
  } else {
    stryCov_9fa48("272");
    const p = prometheusOf(step);
    const endpoint = queryEndpoint(interpolate(p.url, ctx.vars, ctx.env));
    const shownEndpoint = ctx.redact(endpoint);
    const query = interpolate(p.query, ctx.vars, ctx.env);
    let gate: Gate | undefined;
    try {
      if (stryMutAct_9fa48("273")) {
        {}
      } else {
        stryCov_9fa48("273");
        gate = gateOf(p, ctx.vars, ctx.env);
      }
    } catch (err) {
      if (stryMutAct_9fa48("274")) {
        {}
      } else {
        stryCov_9fa48("274");
        const message = (err as Error).message;
        return stryMutAct_9fa48("275") ? {} : (stryCov_9fa48("275"), {
          status: stryMutAct_9fa48("276") ? "" : (stryCov_9fa48("276"), "failed"),
          summary: stryMutAct_9fa48("277") ? `` : (stryCov_9fa48("277"), `interval: ${message}`),
          error: message
        });
      }
    }
    const details: Record<string, unknown> = stryMutAct_9fa48("278") ? {} : (stryCov_9fa48("278"), {
      url: shownEndpoint,
      query: ctx.redact(query),
      expect: p.expect
    });
    if (stryMutAct_9fa48("280") ? false : stryMutAct_9fa48("279") ? true : (stryCov_9fa48("279", "280"), gate)) details[stryMutAct_9fa48("281") ? "" : (stryCov_9fa48("281"), "gate")] = gate;
    if (stryMutAct_9fa48("284") ? comparisons(p.expect).length !== 0 : stryMutAct_9fa48("283") ? false : stryMutAct_9fa48("282") ? true : (stryCov_9fa48("282", "283", "284"), comparisons(p.expect).length === 0)) {
      if (stryMutAct_9fa48("285")) {
        {}
      } else {
        stryCov_9fa48("285");
        return stryMutAct_9fa48("286") ? {} : (stryCov_9fa48("286"), {
          status: stryMutAct_9fa48("287") ? "" : (stryCov_9fa48("287"), "failed"),
          summary: stryMutAct_9fa48("288") ? "" : (stryCov_9fa48("288"), "nothing to compare: expect needs one of lt, lte, gt, gte, eq"),
          error: stryMutAct_9fa48("289") ? "" : (stryCov_9fa48("289"), "expect has no comparison"),
          details
        });
      }
    }
    const count = stryMutAct_9fa48("290") ? gate?.count && 1 : (stryCov_9fa48("290"), (stryMutAct_9fa48("291") ? gate.count : (stryCov_9fa48("291"), gate?.count)) ?? 1);
    const measurements: Measurement[] = stryMutAct_9fa48("292") ? ["Stryker was here"] : (stryCov_9fa48("292"), []);
    details[stryMutAct_9fa48("293") ? "" : (stryCov_9fa48("293"), "measurements")] = measurements;
    let failures = 0;
    let inconclusive = 0;
    for (let i = 0; stryMutAct_9fa48("296") ? i >= count : stryMutAct_9fa48("295") ? i <= count : stryMutAct_9fa48("294") ? false : (stryCov_9fa48("294", "295", "296"), i < count); stryMutAct_9fa48("297") ? i-- : (stryCov_9fa48("297"), i++)) {
      if (stryMutAct_9fa48("298")) {
        {}
      } else {
        stryCov_9fa48("298");
        if (stryMutAct_9fa48("301") ? i > 0 && gate || gate.intervalMs > 0 : stryMutAct_9fa48("300") ? false : stryMutAct_9fa48("299") ? true : (stryCov_9fa48("299", "300", "301"), (stryMutAct_9fa48("303") ? i > 0 || gate : stryMutAct_9fa48("302") ? true : (stryCov_9fa48("302", "303"), (stryMutAct_9fa48("306") ? i <= 0 : stryMutAct_9fa48("305") ? i >= 0 : stryMutAct_9fa48("304") ? true : (stryCov_9fa48("304", "305", "306"), i > 0)) && gate)) && (stryMutAct_9fa48("309") ? gate.intervalMs <= 0 : stryMutAct_9fa48("308") ? gate.intervalMs >= 0 : stryMutAct_9fa48("307") ? true : (stryCov_9fa48("307", "308", "309"), gate.intervalMs > 0)))) {
          if (stryMutAct_9fa48("310")) {
            {}
          } else {
            stryCov_9fa48("310");
            ctx.progress.message(stryMutAct_9fa48("311") ? `` : (stryCov_9fa48("311"), `next measurement in ${formatMs(gate.intervalMs)} (${i}/${count} done)`));
            if (stryMutAct_9fa48("314") ? false : stryMutAct_9fa48("313") ? true : stryMutAct_9fa48("312") ? await ctx.sleep(gate.intervalMs) : (stryCov_9fa48("312", "313", "314"), !(await ctx.sleep(gate.intervalMs)))) return interrupted(details, i, count);
          }
        }
        let raw: string | undefined;
        try {
          if (stryMutAct_9fa48("315")) {
            {}
          } else {
            stryCov_9fa48("315");
            raw = await instantQuery(endpoint, query, p, ctx, details);
          }
        } catch (err) {
          if (stryMutAct_9fa48("316")) {
            {}
          } else {
            stryCov_9fa48("316");
            if (stryMutAct_9fa48("319") ? err instanceof FetchFailure || err.aborted : stryMutAct_9fa48("318") ? false : stryMutAct_9fa48("317") ? true : (stryCov_9fa48("317", "318", "319"), err instanceof FetchFailure && err.aborted)) return interrupted(details, i, count);
            const message = ctx.redact((err as Error).message);
            return stryMutAct_9fa48("320") ? {} : (stryCov_9fa48("320"), {
              status: stryMutAct_9fa48("321") ? "" : (stryCov_9fa48("321"), "failed"),
              summary: message,
              error: message,
              details
            });
          }
        }
        const m = judge(raw, p.expect, ctx.now());
        measurements.push(m);
        if (stryMutAct_9fa48("324") ? m.result !== "failed" : stryMutAct_9fa48("323") ? false : stryMutAct_9fa48("322") ? true : (stryCov_9fa48("322", "323", "324"), m.result === (stryMutAct_9fa48("325") ? "" : (stryCov_9fa48("325"), "failed")))) stryMutAct_9fa48("326") ? failures-- : (stryCov_9fa48("326"), failures++);
        if (stryMutAct_9fa48("329") ? m.result !== "inconclusive" : stryMutAct_9fa48("328") ? false : stryMutAct_9fa48("327") ? true : (stryCov_9fa48("327", "328", "329"), m.result === (stryMutAct_9fa48("330") ? "" : (stryCov_9fa48("330"), "inconclusive")))) stryMutAct_9fa48("331") ? inconclusive-- : (stryCov_9fa48("331"), inconclusive++);
        if (stryMutAct_9fa48("335") ? count <= 1 : stryMutAct_9fa48("334") ? count >= 1 : stryMutAct_9fa48("333") ? false : stryMutAct_9fa48("332") ? true : (stryCov_9fa48("332", "333", "334", "335"), count > 1)) ctx.progress.message(stryMutAct_9fa48("336") ? `` : (stryCov_9fa48("336"), `measurement ${stryMutAct_9fa48("337") ? i - 1 : (stryCov_9fa48("337"), i + 1)}/${count}: ${m.result}, ${m.reason}`));
        if (stryMutAct_9fa48("340") ? false : stryMutAct_9fa48("339") ? true : stryMutAct_9fa48("338") ? gate : (stryCov_9fa48("338", "339", "340"), !gate)) break;
        // As Argo Rollouts does, stop as soon as a limit is exceeded: more measurements cannot undo it.
        if (stryMutAct_9fa48("343") ? failures > gate.failureLimit && inconclusive > gate.inconclusiveLimit : stryMutAct_9fa48("342") ? false : stryMutAct_9fa48("341") ? true : (stryCov_9fa48("341", "342", "343"), (stryMutAct_9fa48("346") ? failures <= gate.failureLimit : stryMutAct_9fa48("345") ? failures >= gate.failureLimit : stryMutAct_9fa48("344") ? false : (stryCov_9fa48("344", "345", "346"), failures > gate.failureLimit)) || (stryMutAct_9fa48("349") ? inconclusive <= gate.inconclusiveLimit : stryMutAct_9fa48("348") ? inconclusive >= gate.inconclusiveLimit : stryMutAct_9fa48("347") ? false : (stryCov_9fa48("347", "348", "349"), inconclusive > gate.inconclusiveLimit)))) break;
      }
    }
    details[stryMutAct_9fa48("350") ? "" : (stryCov_9fa48("350"), "failures")] = failures;
    details[stryMutAct_9fa48("351") ? "" : (stryCov_9fa48("351"), "inconclusive")] = inconclusive;
    const last = measurements.at(stryMutAct_9fa48("352") ? +1 : (stryCov_9fa48("352"), -1))!;
    if (stryMutAct_9fa48("355") ? last.value === undefined : stryMutAct_9fa48("354") ? false : stryMutAct_9fa48("353") ? true : (stryCov_9fa48("353", "354", "355"), last.value !== undefined)) details[stryMutAct_9fa48("356") ? "" : (stryCov_9fa48("356"), "value")] = parseSampleValue(last.value);
    if (stryMutAct_9fa48("359") ? false : stryMutAct_9fa48("358") ? true : stryMutAct_9fa48("357") ? gate : (stryCov_9fa48("357", "358", "359"), !gate)) {
      if (stryMutAct_9fa48("360")) {
        {}
      } else {
        stryCov_9fa48("360");
        if (stryMutAct_9fa48("363") ? last.result !== "passed" : stryMutAct_9fa48("362") ? false : stryMutAct_9fa48("361") ? true : (stryCov_9fa48("361", "362", "363"), last.result === (stryMutAct_9fa48("364") ? "" : (stryCov_9fa48("364"), "passed")))) return stryMutAct_9fa48("365") ? {} : (stryCov_9fa48("365"), {
          status: stryMutAct_9fa48("366") ? "" : (stryCov_9fa48("366"), "passed"),
          summary: last.reason,
          details
        });
        if (stryMutAct_9fa48("369") ? last.result !== "failed" : stryMutAct_9fa48("368") ? false : stryMutAct_9fa48("367") ? true : (stryCov_9fa48("367", "368", "369"), last.result === (stryMutAct_9fa48("370") ? "" : (stryCov_9fa48("370"), "failed")))) return stryMutAct_9fa48("371") ? {} : (stryCov_9fa48("371"), {
          status: stryMutAct_9fa48("372") ? "" : (stryCov_9fa48("372"), "failed"),
          summary: last.reason,
          error: last.reason,
          details
        });
        return decideInconclusive(stryMutAct_9fa48("373") ? `` : (stryCov_9fa48("373"), `the query gave no value: ${last.reason}`), details, ctx);
      }
    }
    const tally = stryMutAct_9fa48("374") ? `` : (stryCov_9fa48("374"), `${measurements.length}/${gate.count} measurements: ${stryMutAct_9fa48("375") ? measurements.length - failures + inconclusive : (stryCov_9fa48("375"), (stryMutAct_9fa48("376") ? measurements.length + failures : (stryCov_9fa48("376"), measurements.length - failures)) - inconclusive)} passed, ${failures} failed, ${inconclusive} inconclusive`);
    if (stryMutAct_9fa48("380") ? failures <= gate.failureLimit : stryMutAct_9fa48("379") ? failures >= gate.failureLimit : stryMutAct_9fa48("378") ? false : stryMutAct_9fa48("377") ? true : (stryCov_9fa48("377", "378", "379", "380"), failures > gate.failureLimit)) {
      if (stryMutAct_9fa48("381")) {
        {}
      } else {
        stryCov_9fa48("381");
        const why = stryMutAct_9fa48("382") ? `` : (stryCov_9fa48("382"), `${tally} (failure limit ${gate.failureLimit}); last: ${last.reason}`);
        return stryMutAct_9fa48("383") ? {} : (stryCov_9fa48("383"), {
          status: stryMutAct_9fa48("384") ? "" : (stryCov_9fa48("384"), "failed"),
          summary: why,
          error: why,
          details
        });
      }
    }
    if (stryMutAct_9fa48("388") ? inconclusive <= gate.inconclusiveLimit : stryMutAct_9fa48("387") ? inconclusive >= gate.inconclusiveLimit : stryMutAct_9fa48("386") ? false : stryMutAct_9fa48("385") ? true : (stryCov_9fa48("385", "386", "387", "388"), inconclusive > gate.inconclusiveLimit)) {
      if (stryMutAct_9fa48("389")) {
        {}
      } else {
        stryCov_9fa48("389");
        return decideInconclusive(stryMutAct_9fa48("390") ? `` : (stryCov_9fa48("390"), `${tally} (inconclusive limit ${gate.inconclusiveLimit}); last: ${last.reason}`), details, ctx);
      }
    }
    return stryMutAct_9fa48("391") ? {} : (stryCov_9fa48("391"), {
      status: stryMutAct_9fa48("392") ? "" : (stryCov_9fa48("392"), "passed"),
      summary: stryMutAct_9fa48("393") ? `` : (stryCov_9fa48("393"), `${tally}; last: ${last.reason}`),
      details
    });
  }
};
function interrupted(details: Record<string, unknown>, done: number, count: number): StepOutcome {
  if (stryMutAct_9fa48("394")) {
    {}
  } else {
    stryCov_9fa48("394");
    return stryMutAct_9fa48("395") ? {} : (stryCov_9fa48("395"), {
      status: stryMutAct_9fa48("396") ? "" : (stryCov_9fa48("396"), "failed"),
      summary: stryMutAct_9fa48("397") ? `` : (stryCov_9fa48("397"), `interrupted after ${done}/${count} measurements`),
      error: stryMutAct_9fa48("398") ? "" : (stryCov_9fa48("398"), "interrupted"),
      details
    });
  }
}

/** Inconclusive: ask the engineer (interactive) or fail (non-interactive); never pass silently. */
async function decideInconclusive(why: string, details: Record<string, unknown>, ctx: ExecContext): Promise<StepOutcome> {
  if (stryMutAct_9fa48("399")) {
    {}
  } else {
    stryCov_9fa48("399");
    details[stryMutAct_9fa48("400") ? "" : (stryCov_9fa48("400"), "inconclusiveResult")] = stryMutAct_9fa48("401") ? false : (stryCov_9fa48("401"), true);
    if (stryMutAct_9fa48("404") ? false : stryMutAct_9fa48("403") ? true : stryMutAct_9fa48("402") ? ctx.interactive : (stryCov_9fa48("402", "403", "404"), !ctx.interactive)) {
      if (stryMutAct_9fa48("405")) {
        {}
      } else {
        stryCov_9fa48("405");
        const summary = stryMutAct_9fa48("406") ? `` : (stryCov_9fa48("406"), `inconclusive: ${why}; a non-interactive run fails an inconclusive check`);
        return stryMutAct_9fa48("407") ? {} : (stryCov_9fa48("407"), {
          status: stryMutAct_9fa48("408") ? "" : (stryCov_9fa48("408"), "failed"),
          summary,
          error: summary,
          details
        });
      }
    }
    const accept = await ctx.prompter.confirm(stryMutAct_9fa48("409") ? `` : (stryCov_9fa48("409"), `Inconclusive: ${why}. Have you checked the metric yourself, and should it count as passed?`), stryMutAct_9fa48("410") ? {} : (stryCov_9fa48("410"), {
      default: stryMutAct_9fa48("411") ? true : (stryCov_9fa48("411"), false)
    }));
    details[stryMutAct_9fa48("412") ? "" : (stryCov_9fa48("412"), "decidedBy")] = stryMutAct_9fa48("413") ? "" : (stryCov_9fa48("413"), "engineer");
    if (stryMutAct_9fa48("415") ? false : stryMutAct_9fa48("414") ? true : (stryCov_9fa48("414", "415"), accept)) {
      if (stryMutAct_9fa48("416")) {
        {}
      } else {
        stryCov_9fa48("416");
        return stryMutAct_9fa48("417") ? {} : (stryCov_9fa48("417"), {
          status: stryMutAct_9fa48("418") ? "" : (stryCov_9fa48("418"), "passed"),
          summary: stryMutAct_9fa48("419") ? `` : (stryCov_9fa48("419"), `inconclusive, accepted by the engineer: ${why}`),
          answer: stryMutAct_9fa48("420") ? "" : (stryCov_9fa48("420"), "yes"),
          details
        });
      }
    }
    const summary = stryMutAct_9fa48("421") ? `` : (stryCov_9fa48("421"), `inconclusive, not accepted by the engineer: ${why}`);
    return stryMutAct_9fa48("422") ? {} : (stryCov_9fa48("422"), {
      status: stryMutAct_9fa48("423") ? "" : (stryCov_9fa48("423"), "failed"),
      summary,
      error: summary,
      answer: stryMutAct_9fa48("424") ? "" : (stryCov_9fa48("424"), "no"),
      details
    });
  }
}

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describePrometheus as describe } from "../checklist/describe.js";