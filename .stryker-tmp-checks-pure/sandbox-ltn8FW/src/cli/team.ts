// @ts-nocheck
// Team state from the command line: where it lives (--state kubernetes[:namespace], DEPLOYCHECK_STATE, or
// the checklist's `team:`), the connection with the run's kubeconfig and context, the session's Lease (taken
// before anything reads state, renewed in the background, checked before every step), and bringing a run
// from the cluster into the local state dir so that any engineer can resume it.
import { hostname } from "node:os";
import type { Checklist } from "../checklist/schema.js";
import { StateError, UsageError } from "../errors.js";
import { KubeClient } from "../kube/client.js";
import { assertTeamAccess } from "../store/kubernetes/access.js";
import { type Exchange, retrying, TeamStateError } from "../store/kubernetes/api.js";
import { ConfigMapJournal } from "../store/kubernetes/configmap-journal.js";
import { expiresInMs, type LeaseHolder, LeaseLock, type LeaseState } from "../store/kubernetes/lease-lock.js";
import { RunFiles } from "../store/kubernetes/run-files.js";
import type { Fence } from "../store/kubernetes/team-journal.js";

export const DEFAULT_TEAM_NAMESPACE = "deploycheck";
export const DEFAULT_LEASE_SECONDS = 30;

export interface TeamTarget {
  namespace: string;
  leaseSeconds: number;
}

export interface TeamOptions {
  state?: string;
  context?: string;
}

/** `kubernetes`, `kubernetes:NAMESPACE` or `local`; anything else is a usage error. */
export function parseStateOption(value: string): TeamTarget | undefined {
  if (value === "local") return undefined;
  const m = /^kubernetes(?::([a-z0-9]([-a-z0-9]*[a-z0-9])?))?$/.exec(value);
  if (!m)
    throw new UsageError(`--state ${value}: expected "local", "kubernetes" or "kubernetes:NAMESPACE"`, {
      hint: "For example: --state kubernetes:deploycheck (team state in that namespace of the run's cluster).",
    });
  return { namespace: m[1] ?? DEFAULT_TEAM_NAMESPACE, leaseSeconds: DEFAULT_LEASE_SECONDS };
}

/** The flag, then DEPLOYCHECK_STATE, then the checklist's `team:`; local (undefined) when none says. */
export function teamTarget(
  options: TeamOptions,
  checklist?: Checklist,
  env: NodeJS.ProcessEnv = process.env,
): TeamTarget | undefined {
  const explicit = options.state ?? env["DEPLOYCHECK_STATE"];
  const team = (
    checklist as { team?: { kubernetes?: { namespace?: string; leaseDurationSeconds?: number } } }
  )?.team?.kubernetes;
  if (explicit !== undefined) {
    const target = parseStateOption(explicit);
    if (target && team?.leaseDurationSeconds) target.leaseSeconds = team.leaseDurationSeconds;
    if (target && explicit === "kubernetes" && team?.namespace) target.namespace = team.namespace;
    return target;
  }
  if (!team) return undefined;
  return {
    namespace: team.namespace ?? DEFAULT_TEAM_NAMESPACE,
    leaseSeconds: team.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS,
  };
}

export interface TeamConnection {
  target: TeamTarget;
  exchange: Exchange;
  context: string;
}

export async function connectTeam(
  target: TeamTarget,
  options: TeamOptions,
  warn: (text: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<TeamConnection> {
  const client = await KubeClient.connect({ env, ...(options.context ? { context: options.context } : {}) });
  let told = false;
  const exchange = retrying(client.exchange.bind(client), {
    onRetry: (what, reason) => {
      if (told) return;
      told = true;
      warn(`team state: ${what}: ${reason}; retrying with backoff`);
    },
  });
  return { target, exchange, context: client.context.name };
}

export function describeHolder(state: LeaseState): string {
  const h = state.holder;
  const who = h ? `${h.engineer} on ${h.host} (pid ${h.pid}, run ${h.runId})` : state.holderIdentity;
  return `${who} since ${state.acquiredAt ?? "an unknown time"}`;
}

/** The session's hold on the team lock: taken, renewed in the background, checked before every step. */
export class TeamLease implements Fence {
  private timer: NodeJS.Timeout | undefined;
  private lost: string | undefined;
  private lastRenewed: number;
  private constructor(
    private readonly lock: LeaseLock,
    private readonly seconds: number,
    readonly takenOver: LeaseState | undefined,
    private readonly now: () => number,
  ) {
    this.lastRenewed = now();
  }

  static async acquire(
    conn: TeamConnection,
    checklist: string,
    holder: LeaseHolder,
    now: () => number = Date.now,
  ): Promise<TeamLease> {
    await assertTeamAccess(conn.exchange, conn.target.namespace);
    const lock = new LeaseLock({
      exchange: conn.exchange,
      namespace: conn.target.namespace,
      checklist,
      holder,
      durationSeconds: conn.target.leaseSeconds,
      now,
    });
    const got = await lock.acquire();
    if (!got.acquired) {
      throw new StateError(
        `${checklist} is being run by ${describeHolder(got.heldBy)} (team lock: lease ${lock.name} in namespace ${conn.target.namespace})`,
        {
          hint: `Wait for that run to end, or resume it once its lease expires (in ${Math.ceil(got.expiresInMs / 1000)} s unless it is renewed): deploycheck runs --team`,
        },
      );
    }
    const lease = new TeamLease(lock, conn.target.leaseSeconds, got.takenOver, now);
    lease.startRenewing();
    return lease;
  }

  private startRenewing(): void {
    const every = Math.max(1000, (this.seconds * 1000) / 3);
    this.timer = setInterval(() => {
      this.lock.renew().then(
        (ok) => {
          if (ok) this.lastRenewed = this.now();
          else this.lost = "another holder took the lease over";
        },
        (err: unknown) => {
          // Unreachable for a while: the lease runs out on its own clock; past that it is not ours.
          if (this.now() - this.lastRenewed > this.seconds * 1000)
            this.lost = `the lease could not be renewed (${(err as Error).message})`;
        },
      );
    }, every);
    this.timer.unref();
  }

  /** Fencing: throws once the lease is lost; `strict` (before a mutating step) asks the API server. */
  async check(strict: boolean): Promise<void> {
    if (!this.lost && this.now() - this.lastRenewed > this.seconds * 1000)
      this.lost = `the lease was not renewed for ${this.seconds} s`;
    if (!this.lost && strict && !(await this.lock.stillHeld())) this.lost = "the lease is no longer ours";
    if (this.lost)
      throw new TeamStateError(`stopped before the next step: ${this.lost}`, 409, {
        hint: "Another engineer may be running this checklist now: see deploycheck runs --team before resuming.",
      });
  }

  setRunId(runId: string): void {
    this.lock.setRunId(runId);
    this.lock.renew().catch(() => {});
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.lost) await this.lock.release().catch(() => {});
  }

  /** For the takeover event: the previous holder in the shape of a local lock holder. */
  previousHolder(): { pid: number; host: string; startedAt: string } | undefined {
    const t = this.takenOver;
    if (!t) return undefined;
    return {
      pid: t.holder?.pid ?? 0,
      host: t.holder?.host ?? t.holderIdentity,
      startedAt: t.acquiredAt ?? "",
    };
  }

  expiresInMs(state: LeaseState): number {
    return expiresInMs(state, this.now());
  }
}

export function holderFor(engineer: string, runId: string): LeaseHolder {
  return { engineer, host: hostname(), pid: process.pid, runId };
}

export function clusterJournal(conn: TeamConnection, checklist: string, runId: string): ConfigMapJournal {
  return new ConfigMapJournal({
    exchange: conn.exchange,
    namespace: conn.target.namespace,
    checklist,
    runId,
  });
}

export function runFiles(conn: TeamConnection, checklist: string, runId: string): RunFiles {
  return new RunFiles({ exchange: conn.exchange, namespace: conn.target.namespace, checklist, runId });
}

/** One command's team state: the connection, the lease it holds, and the run it works on. */
export class TeamContext {
  private constructor(
    readonly conn: TeamConnection,
    readonly lease: TeamLease,
    readonly checklist: string,
    private runId: string,
  ) {}

  /** Connect, check permissions and take the lease (refused, naming the holder, when someone has it). */
  static async start(
    target: TeamTarget,
    options: TeamOptions,
    checklist: string,
    runId: string,
    engineer: string,
    warn: (text: string) => void,
  ): Promise<TeamContext> {
    const conn = await connectTeam(target, options, warn);
    const lease = await TeamLease.acquire(conn, checklist, holderFor(engineer, runId));
    return new TeamContext(conn, lease, checklist, runId);
  }

  /** The run this session works on (an existing one, resumed). */
  setRun(runId: string): void {
    this.runId = runId;
    this.lease.setRunId(runId);
  }

  get run(): string {
    return this.runId;
  }

  journal(): ConfigMapJournal {
    return clusterJournal(this.conn, this.checklist, this.runId);
  }

  files(): RunFiles {
    return runFiles(this.conn, this.checklist, this.runId);
  }

  async release(): Promise<void> {
    await this.lease.release();
  }
}
