/**
 * A break-fix drill's front matter, as data: `lessons/drills/<id>.md`. The words (story, hints,
 * the reference fix, the post-mortem) live in that file; what the drill breaks and how it checks
 * the fix live in `src/drills/scenarios/<id>.ts`. Validated when the drills load, in the course's
 * wording (`hints: must have at least 2`).
 */
import { z } from 'zod';
import { kebab, text } from '../course/schema.js';

/** A placeholder name a scenario adds (`helper`): a letter, then letters and digits. */
const PLACEHOLDER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export const DrillFrontMatterSchema = z.strictObject({
  /** Must equal the file name; progress and `drill start <id>` use it, so never rename a published one. */
  id: kebab(),
  title: text(),
  /** The question bank topic it practises (`status` counts drills solved per topic). */
  topic: kebab(),
  /** The diagnosis id `drill check` gives while the drill is unfixed (src/check/diagnoses.ts). */
  diagnosis: kebab(),
  /** The command that fails: run for real at `drill start`, its output shown as the symptom. */
  symptom: text(),
  /** Gentle first, specific last; `drill hint` shows one more each time. */
  hints: z.array(text()).min(2, { error: 'must have at least 2' }),
  /** The reference fix, as commands: `drill give-up` shows them, and the tests type them. */
  fix: z.array(text()).min(1, { error: 'must have at least 1' }),
  /** Placeholders this drill's setup adds besides the common ones. */
  vars: z.array(z.string().regex(PLACEHOLDER_NAME, { error: 'must be a placeholder name (letters and digits)' })).optional(),
});

export type DrillFrontMatter = z.infer<typeof DrillFrontMatterSchema>;
