/** What a drill is once loaded: its front matter, the story and the post-mortem. */
import type { DrillFrontMatter } from './schema.js';

export interface Drill extends DrillFrontMatter {
  /** Markdown shown at `drill start`, still templated: the situation, before the symptom. */
  story: string;
  /** Markdown shown once the drill is solved or given up: what an interviewer wants to hear. */
  postMortem: string;
  /** Absolute path of the drill file. */
  file: string;
}

export interface Drills {
  dir: string;
  /** In file-name order. */
  drills: Drill[];
}
