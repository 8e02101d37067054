/**
 * The bank's shapes, as plain types: `status` reads the cached bank through them without
 * loading zod or YAML.
 */
import type { QuestionData } from './schema.js';

/** A question with the topic (file) it came from. */
export type Question = QuestionData & { topic: string };

export interface Topic {
  /** The file name's slug: `iam` for `iam.yaml`. */
  id: string;
  title: string;
  /** Absolute path of the topic file. */
  file: string;
  questions: Question[];
}

export interface Bank {
  dir: string;
  topics: Topic[];
  /** Every question of every topic, in file order. */
  questions: Question[];
}
