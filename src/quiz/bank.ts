/**
 * Reads `lessons/questions/<topic>.yaml`, validates every question and reports every problem at
 * once with its file and path, as the lesson loader does. The cross-checks against the lessons
 * (sections, phrases, coverage) are the lint's (lint.ts).
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { dataFiles } from '../course/data-files.js';
import { courseErrorMap, formatPath } from '../course/schema.js';
import type { Bank, Question, Topic } from './types.js';
import { TopicFileSchema } from './schema.js';
import * as messages from './messages.js';

export type { Bank, Question, Topic };

/** The bank has problems; `problems` holds one `file: path: message` line each. */
export class BankError extends Error {
  constructor(readonly problems: string[]) {
    super([messages.bankInvalid(problems.length), ...problems.map((p) => `  ${p}`)].join('\n'));
    this.name = 'BankError';
  }
}

/** `lessons/questions` beside the lessons. */
export function bankDir(lessons: string): string {
  return path.join(lessons, 'questions');
}

/** Loads and validates the bank; throws BankError listing every problem. */
export async function loadBank(dir: string): Promise<Bank> {
  const { bank, problems } = await readBank(dir);
  if (problems.length || !bank) throw new BankError(problems);
  return bank;
}

/** Loads the bank without throwing: the bank when it is valid, and every problem found. */
export async function readBank(dir: string): Promise<{ bank?: Bank; problems: string[] }> {
  const root = path.resolve(dir);
  const display = (file: string) => path.relative(path.dirname(path.dirname(root)), file).split(path.sep).join('/');
  const listed = await dataFiles(root, '.yaml', { display, badName: messages.badTopicFileName, none: messages.noBank });
  if (listed.missing) return { problems: listed.problems };
  const { files, problems } = listed;

  const topics: Topic[] = [];
  const ids = new Map<string, string>();
  for (const name of files) {
    const file = path.join(root, name);
    const where = display(file);
    const id = name.slice(0, -5);
    const doc = parseDocument(await fsp.readFile(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const text = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        problems.push(`${where}: ${e.linePos ? `line ${e.linePos[0].line}: ` : ''}${messages.yamlError(text)}`);
      }
      continue;
    }
    const data: unknown = doc.toJS();
    // Ids are review keys: unique across the whole bank, checked on the raw data so a collision
    // shows even in a file with other problems.
    const raw = data && typeof data === 'object' ? (data as { questions?: unknown }).questions : undefined;
    if (Array.isArray(raw)) {
      raw.forEach((q: unknown, i) => {
        const qid = q && typeof q === 'object' ? (q as { id?: unknown }).id : undefined;
        if (typeof qid !== 'string') return;
        const seen = ids.get(qid);
        if (seen) problems.push(`${where}: questions[${i}].id: ${messages.duplicateQuestionId(qid, seen)}`);
        else ids.set(qid, `${where} questions[${i}]`);
      });
    }
    const parsed = TopicFileSchema.safeParse(data, { error: courseErrorMap });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = formatPath(issue.path);
        problems.push(`${where}: ${at ? `${at}: ` : ''}${issue.message}`);
      }
      continue;
    }
    topics.push({ id, title: parsed.data.title, file, questions: parsed.data.questions.map((q) => ({ ...q, topic: id }) as Question) });
  }
  if (problems.length) return { problems };
  return { bank: { dir: root, topics, questions: topics.flatMap((t) => t.questions) }, problems };
}
