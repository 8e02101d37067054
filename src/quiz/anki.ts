/**
 * `quiz --export anki`: the bank as a text file Anki imports (File → Import), one Basic note per
 * question. The file headers are Anki's own (docs.ankiweb.net, Importing → Text files → File
 * headers, parsed by rslib's csv/metadata.rs): tab-separated, HTML fields, the Basic note type,
 * a GUID column so a re-import updates the notes instead of duplicating them, and a tags column.
 * Fields are HTML with `&`, `<`, `>` and `"` escaped, and never hold a tab or a newline, so no
 * field needs CSV quoting.
 */
import type { Lesson } from '../course/load.js';
import { expectedAnswer } from './grade.js';
import { seededRandom, shuffled } from './random.js';
import type { Question } from './types.js';

export const ANKI_DECK = 'ECR interview (ecr-workbook)';
export const ANKI_HEADERS = [
  '#separator:tab',
  '#html:true',
  '#notetype:Basic',
  `#deck:${ANKI_DECK}`,
  '#columns:guid\tFront\tBack\ttags',
  '#guid column:1',
  '#tags column:4',
] as const;

/** Text as one line of HTML: escaped, tabs as spaces, newlines as <br>. */
export function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, ' ')
    .replace(/\r?\n/g, '<br>');
}

const LETTERS = 'ABCDEFGHIJ';
const list = (items: readonly string[]) => `<ol type=A>${items.map((i) => `<li>${html(i)}</li>`).join('')}</ol>`;

/** The front of a question's card: the question, and its choices or steps. */
function front(q: Question): string {
  const stem = `<b>${html(q.question)}</b>`;
  switch (q.kind) {
    case 'single':
      return `${stem}${list(q.choices)}`;
    case 'multiple':
      return `${stem}<br><i>Pick all that apply.</i>${list(q.choices)}`;
    case 'error':
      return `${stem}<pre>${html(q.error)}</pre>${list(q.choices)}`;
    case 'order':
      // The same shuffle for a question every time, so a re-import keeps the card as it was.
      return `${stem}<br><i>Put them in order.</i>${list(shuffled(q.steps, seededRandom(hash(q.id))))}`;
    case 'command':
      return `${stem}<br><i>Write the command.</i>`;
  }
}

/** The back: the answer (with its letters), the explanation, and where the lesson teaches it. */
function back(q: Question, lessons: readonly Pick<Lesson, 'id' | 'number' | 'title'>[]): string {
  let answer: string;
  if (q.kind === 'single' || q.kind === 'error') answer = `${LETTERS[q.answer]}. ${html(expectedAnswer(q))}`;
  else if (q.kind === 'multiple') answer = q.answers.map((i) => `${LETTERS[i]}. ${html(q.choices[i]!)}`).join('<br>');
  else if (q.kind === 'order') answer = `<ol>${q.steps.map((s) => `<li>${html(s)}</li>`).join('')}</ol>`;
  else answer = `<code>${html(q.answer)}</code>`;
  const lesson = lessons.find((l) => l.id === q.source.lesson);
  const where = lesson ? `Lesson ${String(lesson.number).padStart(2, '0')}, ${lesson.title}: “${q.source.section}”` : q.source.lesson;
  return `${answer}<hr>${html(q.explanation)}<br><small>${html(where)}</small>`;
}

/** The whole import file. */
export function ankiExport(questions: readonly Question[], lessons: readonly Pick<Lesson, 'id' | 'number' | 'title'>[]): string {
  const rows = questions.map((q) => [`ecr-workbook:${q.id}`, front(q), back(q, lessons), `ecr-workbook ecr::${q.topic} kind::${q.kind}`].join('\t'));
  return `${[...ANKI_HEADERS, ...rows].join('\n')}\n`;
}

function hash(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}
