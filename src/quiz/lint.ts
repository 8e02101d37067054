/**
 * The bank's half of `course check`: every question's answer is taught by the lesson section it
 * names (the phrase is there, on both targets), no two questions ask the same thing, error
 * questions quote real messages, command questions' reference answers pass their own rules and
 * their counterexamples fail, and every seed concept has questions (the coverage table).
 */
import type { Course, Lesson } from '../course/load.js';
import { selectTarget } from '../course/render.js';
import { TARGETS } from '../course/target.js';
import { gradeCommand } from './command-answer.js';
import { SEED_CONCEPTS } from './concepts.js';
import { realErrorFor } from './real-errors.js';
import { QUESTION_KINDS, type QuestionKind } from './schema.js';
import type { Bank, Question } from './types.js';
import * as messages from './messages.js';

export interface CoverageRow {
  /** A seed concept id, or a lesson id. */
  id: string;
  label: string;
  questions: number;
  byKind: Record<QuestionKind, number>;
  topics: string[];
}

export interface Coverage {
  concepts: CoverageRow[];
  lessons: CoverageRow[];
}

/** Lint problems (empty when the bank is sound) and the coverage tables. */
export function lintBank(bank: Bank, course: Course): { problems: string[]; coverage: Coverage } {
  const problems: string[] = [];
  const where = (q: Question) => `lessons/questions/${q.topic}.yaml: ${q.id}`;
  const sections = new Map(course.lessons.map((l) => [l.id, TARGETS.map((t) => lessonSections(l, t))] as const));

  const stems = new Map<string, Question>();
  for (const q of bank.questions) {
    const stem = normalizeStem(q.question);
    const other = stems.get(stem);
    if (other) problems.push(`${where(q)}: ${messages.duplicateStem(other.id)}`);
    else stems.set(stem, q);

    const perTarget = sections.get(q.source.lesson);
    if (!perTarget) {
      problems.push(`${where(q)}: source.lesson: ${messages.unknownLesson(q.source.lesson, course.lessons.map((l) => l.id))}`);
    } else {
      const found = perTarget.map((s) => s.get(q.source.section));
      if (found.every((text) => text === undefined)) {
        problems.push(`${where(q)}: source.section: ${messages.unknownSection(q.source.lesson, q.source.section, [...perTarget[0]!.keys()])}`);
      } else {
        const missing = TARGETS.filter((_, i) => !normalizeText(found[i] ?? '').includes(normalizeText(q.source.phrase)));
        if (missing.length === TARGETS.length) problems.push(`${where(q)}: source.phrase: ${messages.phraseNotFound(q.source.phrase, q.source.lesson, q.source.section)}`);
        else if (missing.length) problems.push(`${where(q)}: source.phrase: ${messages.phraseOnlyOnOneTarget(q.source.phrase, missing)}`);
      }
    }

    if (q.kind === 'error' && !realErrorFor(q.error)) problems.push(`${where(q)}: error: ${messages.errorNotReal}`);
    if (q.kind === 'command') {
      const reference = gradeCommand(q.expect, q.answer);
      if (!reference.correct) problems.push(`${where(q)}: answer: ${messages.referenceFails(reference.problems)}`);
      (q.counterexamples ?? []).forEach((c, i) => {
        if (gradeCommand(q.expect, c).correct) problems.push(`${where(q)}: counterexamples[${i}]: ${messages.counterexamplePasses}`);
      });
    }
  }

  const coverage = coverageOf(bank, course);
  for (const row of coverage.concepts) if (row.questions === 0) problems.push(messages.conceptUncovered(row.id, row.label));
  return { problems, coverage };
}

/** Questions per seed concept and per lesson, by kind. */
export function coverageOf(bank: Bank, course: Pick<Course, 'lessons'>): Coverage {
  const row = (id: string, label: string, questions: Question[]): CoverageRow => {
    const byKind = Object.fromEntries(QUESTION_KINDS.map((k) => [k, 0])) as Record<QuestionKind, number>;
    for (const q of questions) byKind[q.kind]++;
    return { id, label, questions: questions.length, byKind, topics: [...new Set(questions.map((q) => q.topic))] };
  };
  return {
    concepts: SEED_CONCEPTS.map((c) => row(c.id, c.concept, bank.questions.filter((q) => q.concepts.includes(c.id)))),
    lessons: course.lessons.map((l) => row(l.id, `${String(l.number).padStart(2, '0')} ${l.title}`, bank.questions.filter((q) => q.source.lesson === l.id))),
  };
}

/** The coverage tables as text for `course check`. */
export function formatCoverage(coverage: Coverage): string {
  const head = `${'questions'.padStart(9)} ${QUESTION_KINDS.map((k) => k.padStart(9)).join('')}`;
  const line = (r: CoverageRow) =>
    `${r.questions === 0 ? '✖' : ' '} ${r.id.padEnd(22)} ${String(r.questions).padStart(9)} ${QUESTION_KINDS.map((k) => String(r.byKind[k]).padStart(9)).join('')}`;
  return [
    'Seed concepts × questions (a question may test several concepts)',
    `  ${'concept'.padEnd(22)} ${head}`,
    ...coverage.concepts.map(line),
    '',
    'Lessons × questions',
    `  ${'lesson'.padEnd(22)} ${head}`,
    ...coverage.lessons.map(line),
    ...coverage.lessons.filter((r) => r.questions === 0).map((r) => messages.lessonWithoutQuestions(r.label)),
  ].join('\n');
}

/**
 * A lesson's sections for one target: heading → text (the heading's own text and every
 * deeper heading under it). The text before the first heading is keyed by the lesson's title.
 */
export function lessonSections(lesson: Pick<Lesson, 'title' | 'body'>, target: (typeof TARGETS)[number]): Map<string, string> {
  const lines = selectTarget(lesson.body, target).split('\n');
  const headings: { title: string; level: number; line: number }[] = [];
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const f = /^\s*(```|~~~)/.exec(line)?.[1];
    if (f) fence = fence === f ? undefined : (fence ?? f);
    const m = fence || f ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) headings.push({ title: m[2]!, level: m[1]!.length, line: i });
  });
  const sections = new Map<string, string>();
  sections.set(lesson.title, lines.slice(0, headings[0]?.line ?? lines.length).join('\n'));
  headings.forEach((h, i) => {
    const next = headings.slice(i + 1).find((o) => o.level <= h.level);
    sections.set(h.title, lines.slice(h.line + 1, next?.line ?? lines.length).join('\n'));
  });
  return sections;
}

/** Text as compared for phrases: no quote markers, `**` or backquotes; spaces collapsed; lower case. */
export function normalizeText(text: string): string {
  return text
    .replace(/^\s*>\s?/gm, '')
    .replace(/[*`]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function normalizeStem(stem: string): string {
  return stem.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}
