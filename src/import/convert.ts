// Turning a parsed document into a deploycheck Checklist: sections, items and steps (commands recognised as
// kube/run/http/file checks, the rest confirmations), variables, sign-off, and a report of every line's fate.
// Pure.

import { KUBE_CHECKS, STEP_KINDS } from "../checklist/kinds.js";
import type {
  Checklist,
  Item,
  KubeCheckName,
  KubeStep,
  Section,
  Step,
  StepKind,
  Variable,
} from "../checklist/schema.js";
import { analyzeCommand } from "../checklist/shell-refs.js";
import { carriesState, isReadOnly, logicalCommands, pipeline, shellWords } from "./command.js";
import { type KubeRefs, kubeCheck } from "./kubectl.js";
import { isWholeCommand, statedValue } from "./markdown.js";
import type { BulletNode, CommandText, ImportDocument, ItemNode, SectionNode, Text } from "./parse.js";
import { camelName, IdScope, slugify } from "./slug.js";

export interface ImportOptions {
  /** metadata.name: a kebab-case id. */
  name: string;
}

/** A source line that did not make it into the checklist, and why. */
export interface UnplacedLine {
  line: number;
  text: string;
  reason: string;
}

/** A threshold in the text ("error rate > 10%") that a prometheus metric gate could check. */
export interface MetricGateCandidate {
  line: number;
  threshold: string;
  /** `<item-id>/<step-id>`, as the journal and answers files name the step. */
  key: string;
  /** Where the step is in the checklist: ["sections", 2, "items", 0, "steps", 3]. */
  path: (string | number)[];
}

export interface ImportReport {
  sections: number;
  items: number;
  steps: number;
  byKind: Partial<Record<StepKind, number>>;
  kubeChecks: Partial<Record<KubeCheckName, number>>;
  /** Steps left for a person to confirm. */
  confirmations: number;
  metricGates: MetricGateCandidate[];
  /** Source lines that went into the checklist (metadata, sections, items, steps, sign-off). */
  placed: number[];
  unplaced: UnplacedLine[];
  /** Decisions worth a look: guards added, variables declared. */
  notes: string[];
  /** Lines left out on purpose, with why (also in `unplaced`, with that reason). */
  dropped: UnplacedLine[];
  /** Every step marked mutating, as `<item-id>/<step-id>`: the run asks before each, a dry run skips it. */
  mutating: string[];
  /** Commands the document gives that were left to a person to confirm, and why. */
  commandsAsConfirmations: { key: string; command: string; why: string }[];
  /** Every variable created, and why. */
  variables: { name: string; why: string }[];
}

export interface ImportResult {
  checklist: Checklist;
  report: ImportReport;
}

const REF_KEYS = /^(?:issue|ticket|ref|reference|jira|jira issue|change|change request)$/i;
const ENV_KEYS = /^(?:env|environment|target|target environment)$/i;
const OWNER_KEYS = /^(?:owner|author|maintainer|team)$/i;
const SIGNOFF_KEYS =
  /^(?:engineer|deployment ready|ready|ready for deployment|timestamp|date|time|notes?|issues\/blockers|issues|blockers|signed[- ]off by|sign[- ]off)$/i;
const METRIC =
  /\b(?:error[- ]rate|latency|p50|p90|p95|p99|p999|cpu|memory|response time|availability|success rate|throughput|rps|qps|saturation)\b[^<>≤≥\n]{0,30}?(?:>=|<=|>|<|≥|≤)\s*\d+(?:\.\d+)?\s*(?:%|ms|s\b|m\b)?/i;
const IF_APPLICABLE = /\bif applicable\b/i;
const CONDITIONAL = /^(?:if|when|otherwise|else|in case|unless)\b/i;
const IF_NEEDED = /\(if ([^()]+?) (?:is |are )?needed\)/i;
/** A section or item the document wants only sometimes: it runs only when the engineer says so. */
const CONDITIONAL_PART =
  /\b(?:if (?:needed|necessary|required)|only if|only when|when needed|as needed|roll[- ]?back|in case of|if .{1,60}? fails?|optional(?:ly)?|emergency|break[- ]glass|disaster recovery|troubleshoot(?:ing)?)\b/i;
/** Environment variables a shell sets itself: `$HOME` in a command is not a placeholder. */
const SHELL_ENV = new Set(
  "HOME PATH USER PWD OLDPWD SHELL HOSTNAME HOST KUBECONFIG TMPDIR LANG LC_ALL TERM EDITOR UID EUID PPID RANDOM SECONDS LINENO IFS PS1 PS2 BASH BASHPID BASH_SOURCE PIPESTATUS REPLY OPTARG OPTIND LOGNAME MAIL DISPLAY SSH_AUTH_SOCK GOPATH JAVA_HOME NODE_ENV CI".split(
    " ",
  ),
);
const URL = /https?:\/\/[^\s'"`<>,]+[^\s'"`<>.,;:)]/g;
/** A child bullet starting with one of these is a step of its own; otherwise it reads as part of its parent. */
const VERBS = new Set(
  (
    "verify check confirm ensure run note wait roll rollback document test review monitor send update mark file " +
    "sign hand have prepare establish continue watch follow notify make set open close restart deploy create " +
    "delete remove record capture take validate inspect look tag push merge approve announce post schedule " +
    "scale apply compare measure ask call page escalate clean disable enable for in execute trigger start stop"
  ).split(" "),
);

/** A step under construction: kind fields plus the common ones, in the order they are emitted. */
type Draft = Step;

class Converter {
  readonly #doc: ImportDocument;
  readonly #placed = new Set<number>();
  readonly #unplaced: UnplacedLine[] = [];
  readonly #vars: Record<string, Variable> = {};
  readonly #byValue = new Map<string, string>();
  readonly #metric: MetricGateCandidate[] = [];
  readonly #notes: string[] = [];
  #environment: string | undefined;
  #contextGuard: string | undefined;
  readonly #why = new Map<string, string>();
  readonly #asConfirm: { path: (string | number)[]; command: string; why: string }[] = [];
  /** A step path -> its index in the report's mutating list, resolved once ids are known. */
  readonly #mutatingPaths: (string | number)[][] = [];

  constructor(doc: ImportDocument) {
    this.#doc = doc;
  }

  convert(options: ImportOptions): ImportResult {
    const metadata = this.#metadata(options);
    const sections = this.#sections();
    const checklist: Checklist = {
      apiVersion: "deploycheck/v1",
      kind: "Checklist",
      metadata,
      ...(Object.keys(this.#vars).length ? { vars: this.#vars } : {}),
      ...(this.#contextGuard
        ? { guards: [{ id: "kube-context", kube: { context: { matches: this.#contextGuard } } }] }
        : {}),
      sections,
      signoff: this.#signoff(),
    };
    if (this.#contextGuard) {
      this.#notes.push(
        `added a guard: the kube context must match ${this.#contextGuard} before anything runs (the document checks the context)`,
      );
    }
    escapeTexts(checklist);
    return { checklist, report: this.#report(checklist) };
  }

  #place(...lines: number[]): void {
    for (const l of lines) this.#placed.add(l);
  }

  // ---- metadata ---------------------------------------------------------------------------

  #metadata(options: ImportOptions): Checklist["metadata"] {
    const doc = this.#doc;
    const metadata: Checklist["metadata"] = { name: options.name, title: doc.title?.text ?? options.name };
    if (doc.title) this.#place(doc.title.line);
    const description: string[] = [];
    const fm = doc.frontMatter;
    if (fm) {
      this.#place(...fm.lines);
      if (fm.owner) metadata.owner = fm.owner;
      for (const f of fm.fields) description.push(`${f.key}: ${f.value}`);
    }
    let titled = Boolean(doc.title);
    for (const field of doc.fields) {
      this.#place(field.line);
      if (REF_KEYS.test(field.key) && !metadata.ref) metadata.ref = field.value;
      else if (ENV_KEYS.test(field.key) && !metadata.environment) {
        // "Staging (Kubernetes)" -> "staging": the name checks and guards compare with.
        this.#environment = slugify(field.value.replace(/\(.*$/, ""), "") || undefined;
        metadata.environment = this.#environment ?? field.value;
      } else if (OWNER_KEYS.test(field.key) && !metadata.owner) metadata.owner = field.value;
      else if (/^title$/i.test(field.key) && !titled) {
        // The first title field is the title; a second one is kept as description, not dropped.
        metadata.title = field.value;
        titled = true;
      } else description.push(`${field.key}: ${field.value}`);
    }
    for (const text of doc.description) {
      this.#place(text.line);
      if (text.text) description.push(text.text);
    }
    if (description.length) metadata.description = description.join("\n");
    return metadata;
  }

  // ---- sections and items -----------------------------------------------------------------

  #sections(): Section[] {
    const sections: Section[] = [];
    const ids = new IdScope();
    // Item ids are unique across the whole checklist: answers files and the journal key steps by item id.
    const itemIds = new IdScope();
    for (const node of this.#doc.sections) {
      const section = this.#section(node, ids, itemIds, sections.length);
      if (section) sections.push(section);
    }
    if (sections.length === 0) {
      // The schema needs one item: an empty document becomes one confirmation to fill in by hand.
      sections.push({
        id: "checklist",
        title: "Checklist",
        items: [{ id: "review", title: "Review", steps: [{ id: "confirm", confirm: "Checklist reviewed" }] }],
      });
      this.#notes.push("the document has no items: wrote a placeholder item to edit");
    }
    return sections;
  }

  #section(node: SectionNode, ids: IdScope, itemIds: IdScope, index: number): Section | undefined {
    const title = node.title?.text ?? this.#doc.title?.text ?? "Checklist";
    const items: Item[] = [];
    // Decided first: the items of a conditional section need no condition of their own.
    const when = node.title ? this.#onlyWhenAsked(node.title.text) : undefined;
    this.#inConditional = when !== undefined;
    const path = ["sections", index, "items"];
    // Bullets straight under a section line: one item named after the section holds them.
    const loose = this.#steps(node.loose, [...path, items.length, "steps"]);
    if (loose.length) items.push({ id: itemIds.take(slugify(title, "item")), title, steps: loose });
    for (const it of node.items) items.push(this.#item(it, itemIds, [...path, items.length]));
    const help = this.#text(node.text);
    if (items.length === 0 && help) {
      items.push({ id: itemIds.take(slugify(title, "item")), title, steps: [{ id: "read", note: help }] });
    }
    if (items.length === 0) {
      if (when) delete this.#vars[when.slice(2, -1)];
      if (node.title) this.#unplaced.push({ ...node.title, reason: "a section with nothing in it" });
      return undefined;
    }
    if (node.title) this.#place(node.title.line);
    const section: Section = { id: ids.take(slugify(title, "section")), title, items };
    // Every item has a step (an item without one gets a confirmation).
    if (help && items.every((i) => i.steps[0]!.note !== help)) section.help = help;
    if (when) section.when = when;
    return section;
  }

  #text(texts: Text[]): string | undefined {
    for (const t of texts) this.#place(t.line);
    return texts.length ? texts.map((t) => t.text).join("\n") : undefined;
  }

  #item(node: ItemNode, ids: IdScope, path: (string | number)[]): Item {
    const head = node.head;
    this.#place(...head.lines);
    const title = cleanTitle(head.label) || `Item ${node.number ?? ""}`.trim();
    // Stryker disable next-line ArrayDeclaration: a placeholder deleted below and set again last, for the key order
    const item: Item = { id: ids.take(slugify(title, "item")), title, steps: [] };
    if (node.number !== undefined) item.number = node.number;
    const help = this.#text(node.text);
    // Keep `steps` last so that the YAML reads title, number, flags, then the steps.
    delete (item as Partial<Item>).steps;
    if (help) item.help = help;
    if (/\(\s*optional\b|^optional\b/i.test(head.label)) item.optional = true;
    const when =
      this.#condition(head.label) ?? (this.#inConditional ? undefined : this.#onlyWhenAsked(title));
    if (when) item.when = when;
    const stepIds = new IdScope();
    const steps: Draft[] = [];
    const stepsPath = [...path, "steps"];
    for (const cmd of head.commands) {
      steps.push(...this.#commandSteps(head, [cmd], title, stepIds, stepsPath, steps.length, false, false));
    }
    steps.push(...this.#steps(node.steps, stepsPath, stepIds, steps.length));
    if (steps.length === 0) {
      const step: Draft = { id: stepIds.take("confirm"), confirm: title };
      this.#decorate(step, head, title, false, [...stepsPath, 0], false);
      steps.push(step);
    }
    item.steps = steps;
    return item;
  }

  // ---- steps ------------------------------------------------------------------------------

  /** The steps of a list of bullets, depth first; a bullet ending in ":" introduces the ones after it. */
  #steps(
    bullets: BulletNode[],
    path: (string | number)[],
    ids = new IdScope(),
    offset = 0,
    inherited?: string,
  ): Draft[] {
    const out: Draft[] = [];
    let context = inherited;
    bullets.forEach((b, i) => {
      const label = b.label.trim();
      const introduces =
        b.commands.length === 0 && label.endsWith(":") && (b.children.length > 0 || i < bullets.length - 1);
      if (introduces) {
        this.#place(...b.lines);
        const text = label.replace(/:$/, "");
        out.push({ id: ids.take(slugify(text, "note")), note: label });
        if (b.children.length) {
          out.push(...this.#steps(b.children, path, ids, offset + out.length, text));
        } else context = text;
        return;
      }
      out.push(...this.#bulletSteps(b, context, ids, path, offset + out.length));
      out.push(...this.#steps(b.children, path, ids, offset + out.length, cleanTitle(label) || context));
    });
    return out;
  }

  #bulletSteps(
    b: BulletNode,
    context: string | undefined,
    ids: IdScope,
    path: (string | number)[],
    index: number,
  ): Draft[] {
    this.#place(...b.lines);
    const optional = /^optional\b/i.test(b.label) || /\(\s*optional\b/i.test(b.label);
    // A bullet that is only "Optional" keeps its word: a confirmation must ask something.
    const label = b.label.replace(/^optional\b\s*:?\s*/i, "").trim() || b.label.trim();
    const title = cleanTitle(label);
    if (b.commands.length) {
      return this.#commandSteps(b, b.commands, title, ids, path, index, optional);
    }
    const source = b.source.join("\n");
    const fromText = this.#textSteps(title, ids);
    const steps: Draft[] = fromText ?? [
      {
        id: ids.take(slugify(title, "confirm")),
        confirm: context && !startsWithVerb(title) ? `${context}: ${title}` : title,
      },
    ];
    steps.forEach((step, k) => {
      this.#decorate(step, b, label, optional, [...path, index + k]);
      if (source !== (step.confirm ?? step.title)) step.help = source;
    });
    return steps;
  }

  /**
   * Common fields from the bullet's words: when (if applicable), optional, a metric-gate flag. A step made
   * from an item's own line leaves when/optional to the item (`ownConditions` false).
   */
  #decorate(
    step: Draft,
    b: BulletNode,
    label: string,
    optional: boolean,
    path: (string | number)[],
    ownConditions = true,
  ): void {
    const when = ownConditions ? this.#condition(label) : undefined;
    if (when) step.when = when;
    if (optional) step.optional = true;
    const metric = METRIC.exec(label);
    if (metric) {
      // Stryker disable next-line StringLiteral: the key is written by the report once the ids are known
      this.#metric.push({ line: b.line, threshold: metric[0].trim(), key: "", path });
    }
  }

  #commandSteps(
    b: BulletNode,
    commands: CommandText[],
    title: string,
    ids: IdScope,
    path: (string | number)[],
    index: number,
    optional: boolean,
    ownConditions = true,
  ): Draft[] {
    const help = b.source.join("\n");
    const out: Draft[] = [];
    for (const cmd of commands) {
      // What the text says the command prints: after it, or (for one command) in the bullet's words.
      const stated =
        // Stryker disable next-line StringLiteral: a text without a verb like "prints" states nothing, as "" does
        statedValue(cmd.stated ?? "") ??
        (commands.length === 1 ? statedValue(withoutCommandSpans(b.label)) : undefined);
      for (const segment of this.#segments(cmd)) {
        const kube = segment.single ? kubeCheck(segment.text, this.#kubeRefs(), stated) : undefined;
        const stepTitle = title.replace(/\s+(?:with|using|via|by)$/i, "") || undefined;
        const base = stepTitle ?? (kube ? kebabCheck(kube.kube) : commandName(segment.text));
        const step: Draft = { id: ids.take(slugify(base, "step")) };
        if (stepTitle) step.title = stepTitle;
        // `<CLUSTER>` becomes a variable, not the redirection bash would read: judge the command without it.
        const readOnly = isReadOnly(segment.text.replace(/<([A-Za-z][A-Za-z0-9_-]*)>/g, "$1"));
        if (kube) {
          step.kube = kube.kube;
          if (kube.timeout) step.timeout = kube.timeout;
          if (kube.kube.context) this.#contextGuard ??= kube.kube.context.matches;
          if (kube.kube.rolloutUndo) step.mutating = true;
        } else if (CONDITIONAL.test(title) && !readOnly) {
          // "If not, run kubectl config use-context prod": a remedy the document only wants in some cases.
          // Never run a change on a condition the tool cannot evaluate: ask the person, command in the help.
          delete step.title;
          step.confirm = title;
          this.#asConfirm.push({
            path: [...path, index + out.length],
            command: segment.text,
            why: "the document wants it only on a condition the tool cannot check",
          });
        } else {
          const command = this.#shellText(segment.text);
          const expectOut = stated !== undefined ? stdoutPattern(stated) : undefined;
          step.run = expectOut ? { command, expect: { stdout: expectOut } } : command;
          // Safe by default: only a command on the read-only allow-list runs without being a change.
          step.mutating = !readOnly;
        }
        if (step.mutating) this.#mutatingPaths.push([...path, index + out.length]);
        this.#decorate(step, b, title, optional, [...path, index + out.length], ownConditions);
        if (help !== (step.confirm ?? step.title)) step.help = help;
        out.push(step);
      }
    }
    return out;
  }

  /**
   * The steps one command or code block becomes: a block that keeps shell state (exports, cd, loops,
   * here-documents) is one script; otherwise each kubectl command a native check covers is a step of its
   * own and the commands between them stay together as one script.
   */
  #segments(cmd: CommandText): { text: string; single: boolean }[] {
    const text = cmd.text.trim();
    const logical = logicalCommands(text);
    if (logical.length <= 1) return [{ text: logical[0]?.text ?? text, single: true }];
    // Stryker disable next-line BooleanLiteral: kubeCheck takes no text of several commands (it refuses ; & and newlines)
    if (!cmd.block || carriesState(text)) return [{ text, single: false }];
    // Only whether a command is a kube check counts here, not the references it would hold.
    const probe: KubeRefs = {
      // Stryker disable next-line ArrowFunction: kubeCheck returns a check whatever the reference is
      namespace: (v) => v,
      // Stryker disable next-line ArrowFunction: kubeCheck returns a check whatever the reference is
      deployment: (v) => v,
      // Stryker disable next-line ArrowFunction: kubeCheck returns a check whatever the reference is
      selector: (v) => v,
      contextPattern: () => undefined,
    };
    const out: { text: string; single: boolean }[] = [];
    let run: string[] = [];
    const flush = () => {
      if (run.length) out.push({ text: run.join("\n"), single: run.length === 1 });
      run = [];
    };
    for (const l of logical) {
      if (kubeCheck(l.text, probe)) {
        flush();
        out.push({ text: l.text, single: true });
      } else run.push(l.text);
    }
    flush();
    return out;
  }

  /**
   * A command as a run step: `${FOO}` stays bash's own variable (written `$${FOO}`), `<CLUSTER>` and an
   * unset `$CLUSTER` become required variables, kubectl namespaces and deployments the variables the kube
   * steps use, URLs variables.
   */
  #shellText(command: string): string {
    const declared = new Set(Object.keys(this.#vars));
    let text = command.replace(/\$\{/g, () => "$${");
    text = text.replace(
      /(^|[^<])<([A-Za-z][A-Za-z0-9_-]*)>(?!>)/g,
      (_whole, before: string, name: string) => {
        return `${before}\${${this.#placeholder(`<${name}>`, name)}}`;
      },
    );
    const assigned = new Set(
      [
        // `export X=`, `local X=`, `readonly X=`: the space before the name is the separator.
        ...command.matchAll(/(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=/g),
      ].map((m) => m[1]!),
    );
    for (const m of command.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)/g)) assigned.add(m[1]!);
    for (const name of readNames(command)) assigned.add(name);
    text = replaceOutsideSingleQuotes(
      text,
      /(?<![$\\])\$([A-Z][A-Z0-9_]*[A-Z0-9]|[A-Z])(?![A-Za-z0-9_{])/g,
      (whole, name) =>
        assigned.has(name) || SHELL_ENV.has(name)
          ? whole
          : `\${${this.#placeholder(`$${name}`, name, name)}}`,
    );
    if (/^\s*(?:kubectl|oc)\s/m.test(text)) {
      text = text.replace(
        /(\s(?:-n|--namespace)(?:\s+|=))([a-z0-9][a-z0-9-]{0,62})(?=\s|$)/g,
        (_w, flag: string, ns: string) => `${flag}\${${this.#variable("namespace", ns, "namespace")}}`,
      );
      text = text.replace(
        /(\s(?:deployments?|deploy)(?:\.apps)?\/)([a-z0-9][a-z0-9.-]{0,252})(?=\s|$)/g,
        (_w, prefix: string, name: string) =>
          `${prefix}\${${this.#variable("deployment", name, "deployment")}}`,
      );
    }
    const converted = this.#withUrlVars(text);
    // A reference where the run step would refuse it (the command name, arithmetic, eval...): keep the
    // document's shell text as written (bash's own variables, `${` escaped) so the checklist still loads.
    if (analyzeCommand(converted).refs.some((r) => r.refused || r.unsafe)) {
      // The command keeps no reference: drop the variables made for it, or the run would ask for them.
      this.#forget(declared);
      return command.replace(/\$\{/g, () => "$${");
    }
    return converted;
  }

  /** Drop every variable declared since `declared` was taken. */
  #forget(declared: Set<string>): void {
    for (const name of Object.keys(this.#vars)) {
      if (declared.has(name)) continue;
      delete this.#vars[name];
      this.#why.delete(name);
      for (const [key, value] of this.#byValue) if (value === name) this.#byValue.delete(key);
    }
  }

  /** A placeholder the document leaves to the reader (`<CLUSTER>`, `$CLUSTER`): a required variable. */
  #placeholder(written: string, name: string, env?: string): string {
    // `$ENV` and `${ENV}` are one bash variable, so one checklist variable; `<ENV>` is only text.
    const key = env ? `environment\u0000${env}` : `placeholder\u0000${written}`;
    const known = this.#byValue.get(key);
    if (known) return known;
    const stem = camelName(name);
    let varName = stem;
    for (let n = 2; varName in this.#vars; n++) varName = `${stem}${n}`;
    this.#vars[varName] = {
      required: true,
      ...(env ? { env } : {}),
      description: `The document's placeholder ${written}: pass --var ${varName}=...${env ? ` or set ${env}` : ""}`,
    };
    this.#byValue.set(key, varName);
    this.#why.set(varName, `placeholder ${written} in a command`);
    return varName;
  }

  /** Steps some sentences amount to: endpoint paths, resource limits, a directory's newest file. */
  #textSteps(title: string, ids: IdScope): Draft[] | undefined {
    const endpoints = /^(.*?endpoints?\b.*?):?\s+((?:\/[\w./-]*)(?:\s*,\s*\/[\w./-]*)*)$/i.exec(title);
    if (endpoints) {
      const base = this.#baseUrl();
      return endpoints[2]!.split(/\s*,\s*/).map((p) => ({
        id: ids.take(slugify(`get ${p}`)),
        title: `GET ${p}`,
        http: { url: `\${${base}}${p}`, expect: { status: 200 } },
      }));
    }
    const deployment = this.#firstVar("deployment");
    if (deployment) {
      const namespace = this.#firstVar("namespace");
      const target = {
        deployment: `\${${deployment}}`,
        ...(namespace ? { namespace: `\${${namespace}}` } : {}),
      };
      const kube = (check: Partial<KubeStep>): Draft[] => [
        { id: ids.take(slugify(title)), title, kube: check },
      ];
      if (/\bresource (?:requests|limits)\b/i.test(title)) return kube({ resources: target });
      if (
        /^wait for (?:the )?(?:rollback|rollout|deployment) (?:completion|to (?:complete|finish))/i.test(
          title,
        )
      ) {
        return kube({ rolloutStatus: target });
      }
      if (/^(?:note|record|capture) (?:the )?current (?:deployment )?revision/i.test(title)) {
        return kube({ history: target });
      }
    }
    const exists = /\bexists? in\s+`?((?:\.{1,2}\/|~\/|\/)[\w./-]*?)\/?(?:directory|folder|dir)?`?\s/i.exec(
      `${title} `,
    );
    if (exists?.[1] && exists[1].length > 2) {
      return [{ id: ids.take(slugify(title)), title, file: { path: exists[1], newest: {} } }];
    }
    return undefined;
  }

  // ---- variables --------------------------------------------------------------------------

  /** A variable for a value found in the text; the same value always maps to the same variable. */
  #variable(kind: string, value: string, suggested: string, extra: Partial<Variable> = {}): string {
    const key = `${kind}\u0000${value}`;
    const known = this.#byValue.get(key);
    if (known) return known;
    let name = suggested;
    for (let n = 2; name in this.#vars; n++) name = `${suggested}${n}`;
    this.#vars[name] = { default: value, ...extra };
    this.#byValue.set(key, name);
    this.#why.set(name, `${kind} ${value} in the document's commands`);
    return name;
  }

  #firstVar(kind: string): string | undefined {
    for (const [key, name] of this.#byValue) if (key.startsWith(`${kind}\u0000`)) return name;
    return undefined;
  }

  #kubeRefs(): KubeRefs {
    const ref = (kind: "namespace" | "deployment", v: string) => {
      // `$NS` or `${NS}`, as the whole value or inside it (`web-$ENV`): each is the document's placeholder,
      // the rest stays as written; taken whole, `web-$ENV` would be a default no namespace can have. (A
      // `<NS>` never reaches here: kubeCheck takes no command with `<` or `>`, which bash would redirect.)
      const inside = v.replace(
        /\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g,
        (written, braced?: string, bare?: string) => {
          const env = (braced ?? bare)!;
          return `\${${this.#placeholder(written, env, env)}}`;
        },
      );
      if (inside !== v) return inside;
      return `\${${this.#variable(kind, v, kind)}}`;
    };
    return {
      namespace: (v: string) => ref("namespace", v),
      deployment: (v: string) => ref("deployment", v),
      selector: (sel: string) =>
        sel.replace(/=([^,=]+)/g, (whole, v: string) => {
          const name = this.#byValue.get(`deployment\u0000${v}`);
          return name ? `=\${${name}}` : whole;
        }),
      // A variable, so that `--var kubeContextPattern=...` fits a cluster whose context is named otherwise.
      // The context the text names wins over the environment's name.
      contextPattern: (stated?: string) => {
        const named = stated !== undefined && /^[\w.:@/-]+$/.test(stated);
        const pattern = named
          ? `^${escapeRegex(stated)}$`
          : this.#environment
            ? escapeRegex(this.#environment)
            : undefined;
        if (pattern === undefined) return undefined;
        const name = this.#variable("context", pattern, "kubeContextPattern", {
          description: "Regular expression the current kube context must match",
        });
        this.#why.set(
          name,
          named ? `the context the document names (${stated})` : "the document's environment",
        );
        return `\${${name}}`;
      },
    };
  }

  /** URLs in a command become variables: `API_URL=https://x ./check.sh` -> `API_URL=${apiUrl} ./check.sh`. */
  #withUrlVars(command: string): string {
    // A reference only where bash takes it as data: in a command the run step would refuse (arithmetic,
    // eval, a command deploycheck cannot follow), the URL stays as written.
    const probe = command.replace(URL, "${importedUrl}");
    if (analyzeCommand(probe).refs.some((r) => r.refused || r.unsafe)) return command;
    return command.replace(URL, (url, offset: number) => {
      const before = command.slice(0, offset);
      const assigned = /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=["']?$/.exec(before);
      const flag = /--([a-z][\w-]*)[=\s]["']?$/.exec(before);
      // The variable holds the origin; a path stays in the command, so one variable serves every endpoint.
      const { origin, rest } = splitOrigin(url);
      const host = /^https?:\/\/([^.:/]+)/.exec(origin)?.[1] ?? "service";
      const suggested = assigned
        ? camelName(assigned[1]!)
        : flag
          ? camelName(flag[1]!)
          : camelName(`${host} url`);
      const extra = assigned ? { env: assigned[1]! } : {};
      return `\${${this.#variable("url", origin, suggested, extra)}}${rest}`;
    });
  }

  #baseUrl(): string {
    const known = this.#firstVar("url");
    if (known) return known;
    // Declared (and said) once, however many endpoint lines use it; a placeholder `$API_URL` already is it.
    if (!("apiUrl" in this.#vars)) {
      this.#vars["apiUrl"] = { description: "Base URL of the service the endpoint checks call" };
      this.#notes.push("declared apiUrl without a default for the endpoint checks: pass --var apiUrl=...");
    }
    return "apiUrl";
  }

  /** "(if applicable)" and "(if X needed)": a condition on a new variable, empty (not applicable) by default. */
  #condition(label: string): string | undefined {
    let base: string | undefined;
    const needed = IF_NEEDED.exec(label);
    if (needed) base = needed[1]!;
    else if (IF_APPLICABLE.test(label)) {
      // Named after the words, not the code: "Drain the fallback: `./x.sh` (if applicable)" -> drainFallback...
      const subject = label
        .split(IF_APPLICABLE)[0]!
        .replace(/\([^)]*$/, "")
        .replace(/`[^`]*`/g, " ")
        .trim();
      const constant = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/.exec(subject);
      base = constant ? constant[0] : subject;
    }
    if (base === undefined) return undefined;
    const stem = /^[A-Z][A-Z0-9_]*$/.test(base) || needed ? camelName(base) : camelName(base, 3, true);
    let name = stem;
    for (let n = 2; name in this.#vars; n++) name = `${stem}${n}`;
    this.#vars[name] = {
      default: false,
      description: `Set to true when this applies: ${label.replace(/:$/, "")}`,
    };
    this.#why.set(name, `"${label.replace(/:$/, "")}" applies only sometimes`);
    return `\${${name}}`;
  }

  // Stryker disable next-line BooleanLiteral: every section sets it before its items read it
  #inConditional = false;

  /**
   * "Rollback (only if needed)", "If the migration fails", "Optional: ...": a part the document wants only
   * sometimes runs only when the engineer asks for it: `when` on a boolean variable that defaults to false.
   */
  #onlyWhenAsked(title: string): string | undefined {
    if (!CONDITIONAL_PART.test(title)) return undefined;
    const words = title.replace(/\([^)]*\)/g, " ").replace(/`[^`]*`/g, " ");
    const stem = camelName(`run ${words}`, 4);
    let name = stem;
    for (let n = 2; name in this.#vars; n++) name = `${stem}${n}`;
    this.#vars[name] = {
      default: false,
      description: `Set to true to run "${title}": the document wants it only sometimes (--var ${name}=true)`,
    };
    this.#why.set(name, `"${title}" runs only when asked`);
    return `\${${name}}`;
  }

  // ---- sign-off and report ----------------------------------------------------------------

  #signoff(): NonNullable<Checklist["signoff"]> {
    const signoff: NonNullable<Checklist["signoff"]> = { requireAllRequiredPassed: true };
    const node = this.#doc.signoff;
    if (!node) return signoff;
    if (node.title) {
      signoff.title = node.title.text;
      this.#place(node.title.line);
    }
    for (const field of node.fields) {
      if (SIGNOFF_KEYS.test(field.key)) this.#place(field.line);
      else
        this.#unplaced.push({
          line: field.line,
          text: this.#doc.lines[field.line - 1]!.trim(),
          reason: "a sign-off field deploycheck does not ask for (it asks engineer, ready, notes, blockers)",
        });
    }
    for (const t of node.text) this.#unplaced.push({ ...t, reason: "text in the sign-off block" });
    return signoff;
  }

  #report(checklist: Checklist): ImportReport {
    const byKind: ImportReport["byKind"] = {};
    const kubeChecks: ImportReport["kubeChecks"] = {};
    let items = 0;
    let steps = 0;
    for (const section of checklist.sections) {
      for (const item of section.items) {
        items++;
        for (const step of item.steps) {
          steps++;
          const kind = STEP_KINDS.find((k) => step[k] !== undefined)!;
          byKind[kind] = (byKind[kind] ?? 0) + 1;
          const check = step.kube && KUBE_CHECKS.find((c) => step.kube![c] !== undefined);
          if (check) kubeChecks[check] = (kubeChecks[check] ?? 0) + 1;
        }
      }
    }
    for (const t of this.#doc.ignored) this.#unplaced.push({ ...t, reason: "decoration" });
    // A dropped line that was placed after all is left out below, with everything else placed.
    this.#unplaced.push(...(this.#doc.dropped ?? []));
    const listed = new Set(this.#unplaced.map((u) => u.line));
    this.#doc.lines.forEach((text, i) => {
      const line = i + 1;
      if (text.trim() && !this.#placed.has(line) && !listed.has(line)) {
        this.#unplaced.push({ line, text: text.trim(), reason: "not understood" });
      }
    });
    // Every path was taken where its step was made: it names a step of the checklist.
    const keyOf = (path: (string | number)[]) => {
      const [, s, , i, , k] = path as [string, number, string, number, string, number];
      const item = checklist.sections[s]!.items[i]!;
      return `${item.id}/${item.steps[k]!.id}`;
    };
    for (const gate of this.#metric) gate.key = keyOf(gate.path);
    const unplaced = this.#unplaced.filter((u) => !this.#placed.has(u.line)).sort((a, b) => a.line - b.line);
    const vars = Object.keys(checklist.vars ?? {});
    return {
      sections: checklist.sections.length,
      items,
      steps,
      byKind,
      kubeChecks,
      confirmations: byKind.confirm ?? 0,
      metricGates: this.#metric,
      placed: [...this.#placed].sort((a, b) => a - b),
      unplaced,
      notes: this.#notes,
      dropped: unplaced.filter((u) => u.reason !== "not understood"),
      mutating: this.#mutatingPaths.map(keyOf),
      commandsAsConfirmations: this.#asConfirm.map((c) => ({
        key: keyOf(c.path),
        command: c.command,
        why: c.why,
      })),
      variables: vars.map((name) => ({ name, why: this.#why.get(name) ?? "declared by the importer" })),
    };
  }
}

/**
 * The variables a `read` in the command assigns: its name operands, after its options. `-p PROMPT`,
 * `-t 5`, `-d X`, `-n N`, `-N N`, `-i TEXT`, `-u FD` take the next word; `-a NAME` names an array.
 * Its other words are returned as they are: the caller only asks whether a `$NAME` is among them.
 */
function readNames(command: string): string[] {
  const names: string[] = [];
  const word = /"[^"\n]*"|'[^'\n]*'|[^\s;&|)]+/g;
  for (const m of command.matchAll(/(?:^|[\s;&|(])read((?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|[^\s;&|)]+))*)/g)) {
    const words = m[1]!.match(word) ?? [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (/^-[A-Za-z]*[adinNptu]$/.test(w)) {
        if (w.endsWith("a")) names.push(words[i + 1] ?? "");
        i++;
      } else {
        // A word that is not a name (`1X`, a quoted prompt) never equals a `$NAME` the caller looks up.
        names.push(w);
      }
    }
  }
  return names;
}

/** A URL the URL pattern matched (scheme, `//`, at least two more characters) into its origin and the rest. */
function splitOrigin(url: string): { origin: string; rest: string } {
  const m = /^(https?:\/\/[^/?#]+)(.*)$/.exec(url)!;
  return { origin: m[1]!, rest: m[2]! };
}

function cleanTitle(label: string): string {
  return label
    .replace(/:\s*(?=\()/, " ")
    .replace(/\s*:\s*$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

function startsWithVerb(text: string): boolean {
  const first = /^[A-Za-z]+/.exec(text)?.[0];
  // DEPLOY_TIME is a name, not the verb "deploy".
  return first !== undefined && first !== first.toUpperCase() && VERBS.has(first.toLowerCase());
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The check of a kube step (kubeCheck makes each with exactly one), kebab-case: `rollout-status`. */
function kebabCheck(kube: NonNullable<Step["kube"]>): string {
  const check = KUBE_CHECKS.find((c) => kube[c] !== undefined)!;
  // Stryker disable next-line MethodExpression: the result goes through slugify, which lowercases
  return check.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `./scripts/pre-deploy-backup.sh backup` -> `pre-deploy-backup backup`, for an id. */
function commandName(command: string): string {
  const words = shellWords(pipeline(command)[0] ?? command).filter(
    (w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w),
  );
  const program = (words[0] ?? "command").replace(/^.*\//, "").replace(/\.\w+$/, "");
  const args = words.slice(1).filter((w) => !w.startsWith("-") && !w.includes("/"));
  return [program, ...args.slice(0, 2)].join(" ");
}

/** A label without the code spans that are commands ("`kubectl config current-context` shows `prod`"). */
function withoutCommandSpans(label: string): string {
  return label.replace(/`([^`]*)`/g, (whole, span: string) => (isWholeCommand(span) ? " " : whole));
}

/** `${` in text copied from the document is literal: written `$${` so that it is no reference. */
function literal(text: string): string {
  return text.replace(/\$\{/g, () => "$${");
}

/**
 * Titles, help, confirmations, notes and metadata hold the document's words, never a reference the
 * importer made: escape every `${` in them (commands, kube targets, URLs and conditions are built with
 * their escapes already).
 */
function escapeTexts(checklist: Checklist): void {
  const m = checklist.metadata;
  m.title = literal(m.title);
  if (m.description) m.description = literal(m.description);
  if (m.owner) m.owner = literal(m.owner);
  if (m.ref) m.ref = literal(m.ref);
  if (m.environment) m.environment = literal(m.environment);
  // Stryker disable next-line OptionalChaining: the converter always writes a sign-off
  if (checklist.signoff?.title) checklist.signoff.title = literal(checklist.signoff.title);
  for (const section of checklist.sections) {
    section.title = literal(section.title);
    if (section.help) section.help = literal(section.help);
    for (const item of section.items) {
      item.title = literal(item.title);
      if (item.help) item.help = literal(item.help);
      for (const step of item.steps) {
        if (step.title) step.title = literal(step.title);
        if (step.help) step.help = literal(step.help);
        if (typeof step.confirm === "string") step.confirm = literal(step.confirm);
        if (step.note !== undefined) step.note = literal(step.note);
      }
    }
  }
}

/** A regular expression for output that holds the stated value (as a word of its own where it is one). */
function stdoutPattern(value: string): string {
  const escaped = escapeRegex(value);
  return `${/^\w/.test(value) ? "\\b" : ""}${escaped}${/\w$/.test(value) ? "\\b" : ""}`;
}

/** Replace matches of a pattern except inside single quotes (where bash expands nothing). */
function replaceOutsideSingleQuotes(
  text: string,
  pattern: RegExp,
  replace: (whole: string, name: string) => string,
): string {
  return text
    .split(/('[^'\n]*')/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(pattern, (whole, name: string) => replace(whole, name)),
    )
    .join("");
}

/** Convert a parsed document into a checklist and a report of what went where. */
export function convertDocument(doc: ImportDocument, options: ImportOptions): ImportResult {
  return new Converter(doc).convert(options);
}
