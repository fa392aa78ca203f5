// @ts-nocheck
// Walking a checklist in run order, with the keys the journal uses for each step. Pure.

import { stepKind } from "./kinds.js";
import type { Checklist, Item, Section, Step } from "./schema.js";

export interface StepRef {
  section: Section;
  item: Item;
  step: Step;
  /** `<item-id>/<step-id>`: what the journal, answers files and resume match on. */
  key: string;
  /** 1-based position of the item in the whole checklist (the `[7/23]` counter). */
  itemNumber: number;
  /** 0-based position of the step in its item. */
  index: number;
}

/** The id a step gets when it has none: `<kind>-<n>`, n its 1-based position in its parent. */
export function defaultStepId(step: Step, index: number): string {
  return `${stepKind(step)}-${index + 1}`;
}

export function stepId(step: Step, index: number): string {
  return step.id ?? defaultStepId(step, index);
}

export function stepKey(item: Pick<Item, "id">, step: Step, index: number): string {
  return `${item.id}/${stepId(step, index)}`;
}

export function guardKey(index: number): string {
  return `guard/${index + 1}`;
}

/** Every step in run order. */
export function walkSteps(checklist: Checklist): StepRef[] {
  const out: StepRef[] = [];
  let itemNumber = 0;
  for (const section of checklist.sections) {
    for (const item of section.items) {
      itemNumber += 1;
      item.steps.forEach((step, index) => {
        out.push({ section, item, step, key: stepKey(item, step, index), itemNumber, index });
      });
    }
  }
  return out;
}

export function itemCount(checklist: Checklist): number {
  return checklist.sections.reduce((n, s) => n + s.items.length, 0);
}
