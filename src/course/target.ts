/**
 * The two targets and per-target solutions, free of zod: modules on the start-up path of fast
 * commands (status) import these without loading the schema library.
 */
import type { Step } from './schema.js';

/** The two places a learner can run the course. */
export const TARGETS = ['sandbox', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

/** The commands of a step's reference solution for one target. */
export function solutionFor(step: Pick<Step, 'solution'>, target: Target): string[] {
  return Array.isArray(step.solution) ? step.solution : step.solution[target];
}
