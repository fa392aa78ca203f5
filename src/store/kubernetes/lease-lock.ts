// The team lock: a coordination.k8s.io/v1 Lease per checklist, taken and renewed as client-go's leader
// election does it: every write carries the resourceVersion just read, so of two writers racing only one
// can win (the other gets 409 Conflict and reads again). The holder is named in `holderIdentity` (readable
// in `kubectl get leases`) and, structured, in an annotation. A lease whose renewTime plus duration has
// passed is expired and may be taken over; the takeover is reported so the run can journal it.
import { type Exchange, type LeaseObject, leasePath, messageOf, objectName, TeamStateError } from "./api.js";

export interface LeaseHolder {
  engineer: string;
  host: string;
  pid: number;
  runId: string;
}

/** What a Lease says about its holder, for "held by ... since ... on ..." and the takeover event. */
export interface LeaseState {
  holder: LeaseHolder | undefined;
  holderIdentity: string;
  acquiredAt: string | undefined;
  renewedAt: string | undefined;
  durationSeconds: number;
  transitions: number;
}

export type AcquireResult =
  | { acquired: true; takenOver?: LeaseState; lease: LeaseState }
  | { acquired: false; heldBy: LeaseState; expiresInMs: number };

export interface LeaseLockOptions {
  exchange: Exchange;
  namespace: string;
  checklist: string;
  holder: LeaseHolder;
  /** Seconds a holder that stopped renewing keeps the lease (default 30). */
  durationSeconds?: number;
  now?: () => number;
}

const HOLDER_ANNOTATION = "deploycheck.io/holder";

/** `alice@laptop pid 4242`: what kubectl's HOLDER column shows (the run is in the annotation). */
export function holderIdentity(h: LeaseHolder): string {
  return `${h.engineer}@${h.host} pid ${h.pid}`;
}

/** RFC 3339 with microseconds, the MicroTime format the API server accepts for renewTime. */
export function microTime(ms: number): string {
  // toISOString ends in milliseconds and "Z": three more digits make microseconds.
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}

export function leaseName(checklist: string): string {
  return objectName("deploycheck-", checklist);
}

/** The holder our annotation names; none for someone else's lease or a damaged annotation. */
function holderOf(lease: LeaseObject): LeaseHolder | undefined {
  let h: Partial<LeaseHolder> | null = null;
  try {
    // Stryker disable next-line OptionalChaining,StringLiteral: no annotation throws here (or parses "" and throws), which is no holder too
    h = JSON.parse(lease.metadata.annotations?.[HOLDER_ANNOTATION] ?? "null") as Partial<LeaseHolder> | null;
  } catch {
    // a damaged annotation names no holder (the identity string still does)
  }
  return h &&
    typeof h.engineer === "string" &&
    typeof h.host === "string" &&
    typeof h.pid === "number" &&
    typeof h.runId === "string"
    ? { engineer: h.engineer, host: h.host, pid: h.pid, runId: h.runId }
    : undefined;
}

function stateOf(lease: LeaseObject): LeaseState {
  return {
    holder: holderOf(lease),
    holderIdentity: lease.spec.holderIdentity ?? "",
    acquiredAt: lease.spec.acquireTime,
    renewedAt: lease.spec.renewTime,
    durationSeconds: lease.spec.leaseDurationSeconds ?? 0,
    transitions: lease.spec.leaseTransitions ?? 0,
  };
}

/** Milliseconds until the lease expires (<= 0: expired, or released: no holder). */
export function expiresInMs(state: LeaseState, now: number): number {
  if (!state.holderIdentity) return 0;
  // Stryker disable next-line StringLiteral: Date.parse of "" and of any other text that is no date is NaN alike
  const renewed = Date.parse(state.renewedAt ?? state.acquiredAt ?? "");
  if (!Number.isFinite(renewed)) return 0;
  return renewed + state.durationSeconds * 1000 - now;
}

export class LeaseLock {
  readonly name: string;
  private readonly durationSeconds: number;
  private readonly now: () => number;
  private readonly identity: string;
  /** The Lease as we last wrote it (its resourceVersion is the precondition of our next write). */
  private mine: LeaseObject | undefined;

  constructor(private options: LeaseLockOptions) {
    this.name = leaseName(options.checklist);
    this.durationSeconds = options.durationSeconds ?? 30;
    this.now = options.now ?? Date.now;
    this.identity = holderIdentity(options.holder);
  }

  /** The run this holder works on changed (it resumed an existing run): said with the next renewal. */
  setRunId(runId: string): void {
    this.options.holder = { ...this.options.holder, runId };
  }

  get held(): boolean {
    return this.mine !== undefined;
  }

  private async read(): Promise<LeaseObject | undefined> {
    const { namespace, exchange } = this.options;
    const r = await exchange(`lease "${this.name}"`, "GET", leasePath(namespace, this.name));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw refusal("read", this.name, namespace, r);
    return r.body as LeaseObject;
  }

  private desired(previous: LeaseObject | undefined, takeOver: boolean): LeaseObject {
    const now = microTime(this.now());
    const ours = previous !== undefined && previous.spec.holderIdentity === this.identity;
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: this.name,
        ...(previous?.metadata.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}),
        labels: { "app.kubernetes.io/managed-by": "deploycheck" },
        annotations: { [HOLDER_ANNOTATION]: JSON.stringify(this.options.holder) },
      },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.durationSeconds,
        acquireTime: ours ? (previous.spec.acquireTime ?? now) : now,
        renewTime: now,
        leaseTransitions: (previous?.spec.leaseTransitions ?? 0) + (takeOver ? 1 : 0),
      },
    };
  }

  /** Take the lease: create it, take it over when expired, or say who holds it. Never waits. */
  async acquire(): Promise<AcquireResult> {
    const { namespace, exchange } = this.options;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.read();
      if (!current) {
        const r = await exchange(
          `lease "${this.name}"`,
          "POST",
          leasePath(namespace),
          this.desired(undefined, false),
        );
        if (r.status === 201 || r.status === 200) {
          this.mine = r.body as LeaseObject;
          return { acquired: true, lease: stateOf(this.mine) };
        }
        if (r.status === 409) continue; // created by someone else meanwhile: read it
        throw refusal("create", this.name, namespace, r);
      }
      const state = stateOf(current);
      const left = expiresInMs(state, this.now());
      const ours = current.spec.holderIdentity === this.identity;
      if (!ours && left > 0) return { acquired: false, heldBy: state, expiresInMs: left };
      const takeOver = !ours && state.holderIdentity !== "";
      const r = await exchange(
        `lease "${this.name}"`,
        "PUT",
        leasePath(namespace, this.name),
        this.desired(current, takeOver),
      );
      if (r.status === 200) {
        this.mine = r.body as LeaseObject;
        return takeOver
          ? { acquired: true, takenOver: state, lease: stateOf(this.mine) }
          : { acquired: true, lease: stateOf(this.mine) };
      }
      if (r.status === 409) continue; // another writer changed it first: look again
      throw refusal("update", this.name, namespace, r);
    }
    throw new TeamStateError(
      `lease "${this.name}" in namespace "${namespace}" keeps changing under us`,
      409,
      {
        hint: "Another deploycheck is taking this lease at the same moment; try again in a few seconds.",
      },
    );
  }

  /**
   * Renew: write renewTime with the resourceVersion we last wrote. False when the lease is no longer ours
   * (someone took it over after it expired, or it was deleted): the run must stop before its next step.
   */
  async renew(): Promise<boolean> {
    if (!this.mine) return false;
    const { namespace, exchange } = this.options;
    const r = await exchange(
      `lease "${this.name}"`,
      "PUT",
      leasePath(namespace, this.name),
      this.desired(this.mine, false),
    );
    if (r.status === 200) {
      this.mine = r.body as LeaseObject;
      return true;
    }
    if (r.status === 409 || r.status === 404) {
      // Our write may have landed with the answer lost: the lease is still ours if it names us.
      const current = await this.read();
      if (current && current.spec.holderIdentity === this.identity) {
        this.mine = current;
        return this.renew();
      }
      this.mine = undefined;
      return false;
    }
    throw refusal("update", this.name, namespace, r);
  }

  /** Fencing: read the lease and check that it is still ours and not expired, before a mutating step. */
  async stillHeld(): Promise<boolean> {
    if (!this.mine) return false;
    const current = await this.read();
    if (!current || current.spec.holderIdentity !== this.identity) {
      this.mine = undefined;
      return false;
    }
    this.mine = current;
    return expiresInMs(stateOf(current), this.now()) > 0;
  }

  /** Let go: clear the holder (as client-go's ReleaseOnCancel does) so the next engineer need not wait. */
  async release(): Promise<void> {
    if (!this.mine) return;
    const { namespace, exchange } = this.options;
    const released: LeaseObject = {
      ...this.mine,
      metadata: { ...this.mine.metadata, annotations: {} },
      spec: {
        ...this.mine.spec,
        holderIdentity: "",
        leaseDurationSeconds: 1,
        renewTime: microTime(this.now()),
      },
    };
    this.mine = undefined;
    const r = await exchange(`lease "${this.name}"`, "PUT", leasePath(namespace, this.name), released);
    // 409: it changed since our last write, so it is no longer ours to release.
    if (r.status !== 200 && r.status !== 409 && r.status !== 404)
      throw refusal("update", this.name, namespace, r);
  }

  /** The lease as it is now (for `runs --team` and the refusal message), or undefined when there is none. */
  async inspect(): Promise<LeaseState | undefined> {
    const current = await this.read();
    return current ? stateOf(current) : undefined;
  }
}

function refusal(verb: string, name: string, namespace: string, r: { status: number; body: unknown }) {
  const message = messageOf(r.body);
  return new TeamStateError(
    `cannot ${verb} lease "${name}" in namespace "${namespace}" (HTTP ${r.status})${message ? `: ${message}` : ""}`,
    r.status,
    r.status === 403
      ? {
          hint: `Grant the team-state Role (leases: get, create, update) in namespace "${namespace}"; see "Team state" in the README.`,
        }
      : {},
  );
}
