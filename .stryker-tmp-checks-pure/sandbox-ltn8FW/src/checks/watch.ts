// @ts-nocheck
// The `watch` step kind (the extended monitoring): run the nested checks every interval for the
// duration, failing as soon as one fails. Each round is journaled, so a resumed run continues the
// timeline with the time already spent counted. The record keeps each round's start time and the window
// actually observed (first to last round). Read-only itself; a dry run does one round.
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
import { DURATION_BOUNDS, stepKind } from "../checklist/kinds.js";
import type { NestedStep, Step, WatchStep } from "../checklist/schema.js";
import { resolveDuration } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { formatMs } from "./fetch-request.js";
import type { Executor } from "./types.js";
export interface WatchPlan {
  durationMs: number;
  intervalMs: number;
  /**
   * Rounds at 0, interval, 2×interval, … and one at the end of the window: both ends are checked and
   * no two rounds are more than an interval apart (`duration: 5s, interval: 2s` → 0, 2, 4, 5 s).
   */
  totalRounds: number;
}
export function watchPlan(durationMs: number, intervalMs: number): WatchPlan {
  if (stryMutAct_9fa48("425")) {
    {}
  } else {
    stryCov_9fa48("425");
    const interval = stryMutAct_9fa48("426") ? Math.min(1, intervalMs) : (stryCov_9fa48("426"), Math.max(1, intervalMs));
    const duration = stryMutAct_9fa48("427") ? Math.min(0, durationMs) : (stryCov_9fa48("427"), Math.max(0, durationMs));
    return stryMutAct_9fa48("428") ? {} : (stryCov_9fa48("428"), {
      durationMs: duration,
      intervalMs: interval,
      totalRounds: (stryMutAct_9fa48("431") ? duration !== 0 : stryMutAct_9fa48("430") ? false : stryMutAct_9fa48("429") ? true : (stryCov_9fa48("429", "430", "431"), duration === 0)) ? 1 : stryMutAct_9fa48("432") ? Math.ceil(duration / interval) - 1 : (stryCov_9fa48("432"), Math.ceil(stryMutAct_9fa48("433") ? duration * interval : (stryCov_9fa48("433"), duration / interval)) + 1)
    });
  }
}

/** When round `round` (1-based) is due, in ms after the first round started. */
export function roundDueAt(plan: WatchPlan, round: number): number {
  if (stryMutAct_9fa48("434")) {
    {}
  } else {
    stryCov_9fa48("434");
    return stryMutAct_9fa48("435") ? Math.max((round - 1) * plan.intervalMs, plan.durationMs) : (stryCov_9fa48("435"), Math.min(stryMutAct_9fa48("436") ? (round - 1) / plan.intervalMs : (stryCov_9fa48("436"), (stryMutAct_9fa48("437") ? round + 1 : (stryCov_9fa48("437"), round - 1)) * plan.intervalMs), plan.durationMs));
  }
}
function watchOf(step: Step | NestedStep): WatchStep {
  if (stryMutAct_9fa48("438")) {
    {}
  } else {
    stryCov_9fa48("438");
    const w = (step as Step).watch;
    if (stryMutAct_9fa48("441") ? false : stryMutAct_9fa48("440") ? true : stryMutAct_9fa48("439") ? w : (stryCov_9fa48("439", "440", "441"), !w)) throw new Error(stryMutAct_9fa48("442") ? "" : (stryCov_9fa48("442"), "watch executor called for another kind"));
    return w;
  }
}
export function nestedName(step: NestedStep, index: number): string {
  if (stryMutAct_9fa48("443")) {
    {}
  } else {
    stryCov_9fa48("443");
    return stryMutAct_9fa48("444") ? step.id && `${stepKind(step)}-${index + 1}` : (stryCov_9fa48("444"), step.id ?? (stryMutAct_9fa48("445") ? `` : (stryCov_9fa48("445"), `${stepKind(step)}-${stryMutAct_9fa48("446") ? index - 1 : (stryCov_9fa48("446"), index + 1)}`)));
  }
}

/** "27m left", "45s left": minutes once there are any, seconds below a minute. */
function left(ms: number): string {
  if (stryMutAct_9fa48("447")) {
    {}
  } else {
    stryCov_9fa48("447");
    if (stryMutAct_9fa48("451") ? ms > 0 : stryMutAct_9fa48("450") ? ms < 0 : stryMutAct_9fa48("449") ? false : stryMutAct_9fa48("448") ? true : (stryCov_9fa48("448", "449", "450", "451"), ms <= 0)) return stryMutAct_9fa48("452") ? "" : (stryCov_9fa48("452"), "ending");
    if (stryMutAct_9fa48("456") ? ms < 60_000 : stryMutAct_9fa48("455") ? ms > 60_000 : stryMutAct_9fa48("454") ? false : stryMutAct_9fa48("453") ? true : (stryCov_9fa48("453", "454", "455", "456"), ms >= 60_000)) return stryMutAct_9fa48("457") ? `` : (stryCov_9fa48("457"), `${Math.ceil(stryMutAct_9fa48("458") ? ms * 60_000 : (stryCov_9fa48("458"), ms / 60_000))}m left`);
    return stryMutAct_9fa48("459") ? `` : (stryCov_9fa48("459"), `${Math.ceil(stryMutAct_9fa48("460") ? ms * 1000 : (stryCov_9fa48("460"), ms / 1000))}s left`);
  }
}
interface RoundLog {
  round: number;
  /** When the round started (the clock's time, ISO). */
  startedAt: string;
  /** Time on the watch's timeline when the round started and ended (ms after the first round started). */
  startedMs: number;
  elapsedMs: number;
  ok: boolean;
  failed?: string;
}
export const execute: Executor = async (step, ctx): Promise<StepOutcome> => {
  if (stryMutAct_9fa48("461")) {
    {}
  } else {
    stryCov_9fa48("461");
    const w = watchOf(step);
    let plan: WatchPlan;
    try {
      if (stryMutAct_9fa48("462")) {
        {}
      } else {
        stryCov_9fa48("462");
        plan = watchPlan(resolveDuration(w.duration, ctx.vars, ctx.env, DURATION_BOUNDS.watchDuration), resolveDuration(w.interval, ctx.vars, ctx.env, DURATION_BOUNDS.interval));
      }
    } catch (err) {
      if (stryMutAct_9fa48("463")) {
        {}
      } else {
        stryCov_9fa48("463");
        const message = (err as Error).message;
        return stryMutAct_9fa48("464") ? {} : (stryCov_9fa48("464"), {
          status: stryMutAct_9fa48("465") ? "" : (stryCov_9fa48("465"), "failed"),
          summary: message,
          error: message
        });
      }
    }
    const total = ctx.dryRun ? 1 : plan.totalRounds;
    const doneBefore = ctx.dryRun ? 0 : stryMutAct_9fa48("466") ? Math.max(ctx.resume?.watchRounds ?? 0, total) : (stryCov_9fa48("466"), Math.min(stryMutAct_9fa48("467") ? ctx.resume?.watchRounds && 0 : (stryCov_9fa48("467"), (stryMutAct_9fa48("468") ? ctx.resume.watchRounds : (stryCov_9fa48("468"), ctx.resume?.watchRounds)) ?? 0), total));
    const spentBefore = (stryMutAct_9fa48("472") ? doneBefore <= 0 : stryMutAct_9fa48("471") ? doneBefore >= 0 : stryMutAct_9fa48("470") ? false : stryMutAct_9fa48("469") ? true : (stryCov_9fa48("469", "470", "471", "472"), doneBefore > 0)) ? stryMutAct_9fa48("473") ? ctx.resume?.watchElapsedMs && 0 : (stryCov_9fa48("473"), (stryMutAct_9fa48("474") ? ctx.resume.watchElapsedMs : (stryCov_9fa48("474"), ctx.resume?.watchElapsedMs)) ?? 0) : 0;
    // The timeline starts when the first round starts (reset below), so the last round, due at the
    // duration, starts at least the duration after the first one.
    let origin = ctx.now();
    const elapsed = stryMutAct_9fa48("475") ? () => undefined : (stryCov_9fa48("475"), (() => {
      const elapsed = () => stryMutAct_9fa48("476") ? spentBefore - (ctx.now() - origin) : (stryCov_9fa48("476"), spentBefore + (stryMutAct_9fa48("477") ? ctx.now() + origin : (stryCov_9fa48("477"), ctx.now() - origin)));
      return elapsed;
    })());
    const history: RoundLog[] = stryMutAct_9fa48("478") ? ["Stryker was here"] : (stryCov_9fa48("478"), []);
    let firstRoundAt = (stryMutAct_9fa48("482") ? doneBefore <= 0 : stryMutAct_9fa48("481") ? doneBefore >= 0 : stryMutAct_9fa48("480") ? false : stryMutAct_9fa48("479") ? true : (stryCov_9fa48("479", "480", "481", "482"), doneBefore > 0)) ? stryMutAct_9fa48("483") ? ctx.resume.watchFirstRoundAt : (stryCov_9fa48("483"), ctx.resume?.watchFirstRoundAt) : undefined;
    const details: Record<string, unknown> = stryMutAct_9fa48("484") ? {} : (stryCov_9fa48("484"), {
      durationMs: plan.durationMs,
      intervalMs: plan.intervalMs,
      totalRounds: total,
      rounds: history
    });
    if (stryMutAct_9fa48("488") ? doneBefore <= 0 : stryMutAct_9fa48("487") ? doneBefore >= 0 : stryMutAct_9fa48("486") ? false : stryMutAct_9fa48("485") ? true : (stryCov_9fa48("485", "486", "487", "488"), doneBefore > 0)) details[stryMutAct_9fa48("489") ? "" : (stryCov_9fa48("489"), "resumedAt")] = stryMutAct_9fa48("490") ? {} : (stryCov_9fa48("490"), {
      rounds: doneBefore,
      elapsedMs: spentBefore
    });
    /** The window actually observed: when the first and the last round so far started. */
    const observed = () => {
      if (stryMutAct_9fa48("491")) {
        {}
      } else {
        stryCov_9fa48("491");
        const last = history.at(stryMutAct_9fa48("492") ? +1 : (stryCov_9fa48("492"), -1));
        if (stryMutAct_9fa48("495") ? !firstRoundAt && !last : stryMutAct_9fa48("494") ? false : stryMutAct_9fa48("493") ? true : (stryCov_9fa48("493", "494", "495"), (stryMutAct_9fa48("496") ? firstRoundAt : (stryCov_9fa48("496"), !firstRoundAt)) || (stryMutAct_9fa48("497") ? last : (stryCov_9fa48("497"), !last)))) return undefined;
        const ms = stryMutAct_9fa48("498") ? Date.parse(last.startedAt) + Date.parse(firstRoundAt) : (stryCov_9fa48("498"), Date.parse(last.startedAt) - Date.parse(firstRoundAt));
        details[stryMutAct_9fa48("499") ? "" : (stryCov_9fa48("499"), "window")] = stryMutAct_9fa48("500") ? {} : (stryCov_9fa48("500"), {
          firstRoundAt,
          lastRoundAt: last.startedAt,
          observedMs: ms
        });
        return ms;
      }
    };
    // The bar follows time (a 30-minute watch moves between its rounds); the label counts rounds.
    const show = (done: number) => {
      if (stryMutAct_9fa48("501")) {
        {}
      } else {
        stryCov_9fa48("501");
        const label = stryMutAct_9fa48("502") ? `` : (stryCov_9fa48("502"), `round ${done}/${total}, ${left(stryMutAct_9fa48("503") ? plan.durationMs + elapsed() : (stryCov_9fa48("503"), plan.durationMs - elapsed()))}`);
        const byTime = (stryMutAct_9fa48("507") ? plan.durationMs <= 0 : stryMutAct_9fa48("506") ? plan.durationMs >= 0 : stryMutAct_9fa48("505") ? false : stryMutAct_9fa48("504") ? true : (stryCov_9fa48("504", "505", "506", "507"), plan.durationMs > 0)) ? stryMutAct_9fa48("508") ? elapsed() * plan.durationMs : (stryCov_9fa48("508"), elapsed() / plan.durationMs) : stryMutAct_9fa48("509") ? done * total : (stryCov_9fa48("509"), done / total);
        if (stryMutAct_9fa48("511") ? false : stryMutAct_9fa48("510") ? true : (stryCov_9fa48("510", "511"), ctx.progress.fraction)) ctx.progress.fraction(stryMutAct_9fa48("512") ? Math.max(1, Math.max(byTime, done / total)) : (stryCov_9fa48("512"), Math.min(1, stryMutAct_9fa48("513") ? Math.min(byTime, done / total) : (stryCov_9fa48("513"), Math.max(byTime, stryMutAct_9fa48("514") ? done * total : (stryCov_9fa48("514"), done / total))))), label);else ctx.progress.message(label);
      }
    };
    /** Sleep until the next round, refreshing the progress every second; false when interrupted. */
    const waitFor = async (ms: number, done: number): Promise<boolean> => {
      if (stryMutAct_9fa48("515")) {
        {}
      } else {
        stryCov_9fa48("515");
        const until = stryMutAct_9fa48("516") ? ctx.now() - ms : (stryCov_9fa48("516"), ctx.now() + ms);
        for (let rest = ms; stryMutAct_9fa48("519") ? rest <= 0 : stryMutAct_9fa48("518") ? rest >= 0 : stryMutAct_9fa48("517") ? false : (stryCov_9fa48("517", "518", "519"), rest > 0); rest = stryMutAct_9fa48("520") ? until + ctx.now() : (stryCov_9fa48("520"), until - ctx.now())) {
          if (stryMutAct_9fa48("521")) {
            {}
          } else {
            stryCov_9fa48("521");
            show(done);
            if (stryMutAct_9fa48("524") ? false : stryMutAct_9fa48("523") ? true : stryMutAct_9fa48("522") ? await ctx.sleep(Math.min(rest, 1000)) : (stryCov_9fa48("522", "523", "524"), !(await ctx.sleep(stryMutAct_9fa48("525") ? Math.max(rest, 1000) : (stryCov_9fa48("525"), Math.min(rest, 1000)))))) return stryMutAct_9fa48("526") ? true : (stryCov_9fa48("526"), false);
          }
        }
        return stryMutAct_9fa48("527") ? false : (stryCov_9fa48("527"), true);
      }
    };
    for (let round = stryMutAct_9fa48("528") ? doneBefore - 1 : (stryCov_9fa48("528"), doneBefore + 1); stryMutAct_9fa48("531") ? round > total : stryMutAct_9fa48("530") ? round < total : stryMutAct_9fa48("529") ? false : (stryCov_9fa48("529", "530", "531"), round <= total); stryMutAct_9fa48("532") ? round-- : (stryCov_9fa48("532"), round++)) {
      if (stryMutAct_9fa48("533")) {
        {}
      } else {
        stryCov_9fa48("533");
        // Round k is due at roundDueAt(k) on the watch's own timeline, which a resume continues.
        const wait = stryMutAct_9fa48("534") ? roundDueAt(plan, round) + elapsed() : (stryCov_9fa48("534"), roundDueAt(plan, round) - elapsed());
        if (stryMutAct_9fa48("538") ? wait <= 0 : stryMutAct_9fa48("537") ? wait >= 0 : stryMutAct_9fa48("536") ? false : stryMutAct_9fa48("535") ? true : (stryCov_9fa48("535", "536", "537", "538"), wait > 0)) {
          if (stryMutAct_9fa48("539")) {
            {}
          } else {
            stryCov_9fa48("539");
            if (stryMutAct_9fa48("542") ? false : stryMutAct_9fa48("541") ? true : stryMutAct_9fa48("540") ? await waitFor(wait, round - 1) : (stryCov_9fa48("540", "541", "542"), !(await waitFor(wait, stryMutAct_9fa48("543") ? round + 1 : (stryCov_9fa48("543"), round - 1))))) {
              if (stryMutAct_9fa48("544")) {
                {}
              } else {
                stryCov_9fa48("544");
                details[stryMutAct_9fa48("545") ? "" : (stryCov_9fa48("545"), "elapsedMs")] = elapsed();
                observed();
                return stryMutAct_9fa48("546") ? {} : (stryCov_9fa48("546"), {
                  status: stryMutAct_9fa48("547") ? "" : (stryCov_9fa48("547"), "failed"),
                  summary: stryMutAct_9fa48("548") ? `` : (stryCov_9fa48("548"), `interrupted before round ${round}/${total}`),
                  error: stryMutAct_9fa48("549") ? "" : (stryCov_9fa48("549"), "interrupted"),
                  details
                });
              }
            }
          }
        }
        if (stryMutAct_9fa48("552") ? round !== 1 : stryMutAct_9fa48("551") ? false : stryMutAct_9fa48("550") ? true : (stryCov_9fa48("550", "551", "552"), round === 1)) origin = ctx.now();
        const startedMs = elapsed();
        const startedAt = new Date(ctx.now()).toISOString();
        if (stryMutAct_9fa48("555") ? round === 1 && firstRoundAt === undefined : stryMutAct_9fa48("554") ? false : stryMutAct_9fa48("553") ? true : (stryCov_9fa48("553", "554", "555"), (stryMutAct_9fa48("557") ? round !== 1 : stryMutAct_9fa48("556") ? false : (stryCov_9fa48("556", "557"), round === 1)) || (stryMutAct_9fa48("559") ? firstRoundAt !== undefined : stryMutAct_9fa48("558") ? false : (stryCov_9fa48("558", "559"), firstRoundAt === undefined)))) firstRoundAt = startedAt;
        let failed: {
          name: string;
          outcome: StepOutcome;
        } | undefined;
        for (const [i, nested] of w.steps.entries()) {
          if (stryMutAct_9fa48("560")) {
            {}
          } else {
            stryCov_9fa48("560");
            ctx.progress.message(stryMutAct_9fa48("561") ? `` : (stryCov_9fa48("561"), `round ${round}/${total}: ${stryMutAct_9fa48("562") ? nested.title && nestedName(nested, i) : (stryCov_9fa48("562"), nested.title ?? nestedName(nested, i))}`));
            const outcome = await ctx.runNested(nested, i);
            if (stryMutAct_9fa48("565") ? outcome.status !== "failed" : stryMutAct_9fa48("564") ? false : stryMutAct_9fa48("563") ? true : (stryCov_9fa48("563", "564", "565"), outcome.status === (stryMutAct_9fa48("566") ? "" : (stryCov_9fa48("566"), "failed")))) {
              if (stryMutAct_9fa48("567")) {
                {}
              } else {
                stryCov_9fa48("567");
                failed = stryMutAct_9fa48("568") ? {} : (stryCov_9fa48("568"), {
                  name: nestedName(nested, i),
                  outcome
                });
                break;
              }
            }
          }
        }
        if (stryMutAct_9fa48("570") ? false : stryMutAct_9fa48("569") ? true : (stryCov_9fa48("569", "570"), ctx.signal.aborted)) {
          if (stryMutAct_9fa48("571")) {
            {}
          } else {
            stryCov_9fa48("571");
            details[stryMutAct_9fa48("572") ? "" : (stryCov_9fa48("572"), "elapsedMs")] = elapsed();
            observed();
            return stryMutAct_9fa48("573") ? {} : (stryCov_9fa48("573"), {
              status: stryMutAct_9fa48("574") ? "" : (stryCov_9fa48("574"), "failed"),
              summary: stryMutAct_9fa48("575") ? `` : (stryCov_9fa48("575"), `interrupted in round ${round}/${total}`),
              error: stryMutAct_9fa48("576") ? "" : (stryCov_9fa48("576"), "interrupted"),
              details
            });
          }
        }
        const at = elapsed();
        const log: RoundLog = stryMutAct_9fa48("577") ? {} : (stryCov_9fa48("577"), {
          round,
          startedAt,
          startedMs,
          elapsedMs: at,
          ok: stryMutAct_9fa48("578") ? failed : (stryCov_9fa48("578"), !failed)
        });
        if (stryMutAct_9fa48("580") ? false : stryMutAct_9fa48("579") ? true : (stryCov_9fa48("579", "580"), failed)) log.failed = failed.name;
        history.push(log);
        if (stryMutAct_9fa48("583") ? false : stryMutAct_9fa48("582") ? true : stryMutAct_9fa48("581") ? ctx.dryRun : (stryCov_9fa48("581", "582", "583"), !ctx.dryRun)) await (stryMutAct_9fa48("584") ? ctx.recordWatchRound(round, at, !failed, failed?.name, startedAt) : (stryCov_9fa48("584"), ctx.recordWatchRound?.(round, at, stryMutAct_9fa48("585") ? failed : (stryCov_9fa48("585"), !failed), stryMutAct_9fa48("586") ? failed.name : (stryCov_9fa48("586"), failed?.name), startedAt)));
        if (stryMutAct_9fa48("588") ? false : stryMutAct_9fa48("587") ? true : (stryCov_9fa48("587", "588"), failed)) {
          if (stryMutAct_9fa48("589")) {
            {}
          } else {
            stryCov_9fa48("589");
            details[stryMutAct_9fa48("590") ? "" : (stryCov_9fa48("590"), "elapsedMs")] = at;
            details[stryMutAct_9fa48("591") ? "" : (stryCov_9fa48("591"), "failedStep")] = failed.name;
            observed();
            const why = stryMutAct_9fa48("592") ? `` : (stryCov_9fa48("592"), `round ${round}/${total} (after ${formatMs(at)}): ${failed.name} failed: ${failed.outcome.summary}`);
            return stryMutAct_9fa48("593") ? {} : (stryCov_9fa48("593"), {
              status: stryMutAct_9fa48("594") ? "" : (stryCov_9fa48("594"), "failed"),
              summary: why,
              error: why,
              details
            });
          }
        }
        show(round);
      }
    }
    details[stryMutAct_9fa48("595") ? "" : (stryCov_9fa48("595"), "elapsedMs")] = elapsed();
    const span = observed();
    const window = stryMutAct_9fa48("596") ? `` : (stryCov_9fa48("596"), `window ${formatMs(plan.durationMs)}, every ${formatMs(plan.intervalMs)}`);
    const seen = (stryMutAct_9fa48("599") ? span !== undefined : stryMutAct_9fa48("598") ? false : stryMutAct_9fa48("597") ? true : (stryCov_9fa48("597", "598", "599"), span === undefined)) ? stryMutAct_9fa48("600") ? "Stryker was here!" : (stryCov_9fa48("600"), "") : stryMutAct_9fa48("601") ? `` : (stryCov_9fa48("601"), `, ${formatMs(span)} from first to last round`);
    const summary = ctx.dryRun ? stryMutAct_9fa48("602") ? `` : (stryCov_9fa48("602"), `1 round passed (dry run; the real watch runs ${plan.totalRounds} rounds over ${formatMs(plan.durationMs)})`) : (stryMutAct_9fa48("606") ? doneBefore <= 0 : stryMutAct_9fa48("605") ? doneBefore >= 0 : stryMutAct_9fa48("604") ? false : stryMutAct_9fa48("603") ? true : (stryCov_9fa48("603", "604", "605", "606"), doneBefore > 0)) ? stryMutAct_9fa48("607") ? `` : (stryCov_9fa48("607"), `rounds ${stryMutAct_9fa48("608") ? doneBefore - 1 : (stryCov_9fa48("608"), doneBefore + 1)}-${total} of ${total} passed (continued after round ${doneBefore})${seen} (${window})`) : stryMutAct_9fa48("609") ? `` : (stryCov_9fa48("609"), `${total}/${total} rounds passed${seen} (${window})`);
    return stryMutAct_9fa48("610") ? {} : (stryCov_9fa48("610"), {
      status: stryMutAct_9fa48("611") ? "" : (stryCov_9fa48("611"), "passed"),
      summary,
      details
    });
  }
};

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeWatch as describe } from "../checklist/describe.js";