import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCourse, type Course } from '../../src/course/load.js';
import { renderLesson, terminalWidth, type RenderContext } from '../../src/course/render.js';
import { buildVars } from '../../src/course/vars.js';

// Every lesson, shown as a terminal with colour shows it (chalk on, as in tmux) and as a
// terminal that reports 0 columns shows it: no raw colour codes, and no word lost.
let toTerminal: typeof import('../../src/course/terminal.js').toTerminal;
let course: Course;

const vars = buildVars({ target: 'sandbox', region: 'us-east-1', account: '123456789012', registry: 'localhost:5123', assets: '/opt/lessons/assets', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
const contexts: RenderContext[] = [
  { target: 'sandbox', vars },
  { target: 'aws', vars: buildVars({ target: 'aws', region: 'eu-west-1', account: '111122223333', assets: '/opt/lessons/assets' }) },
  { target: 'sandbox', vars, client: 'podman' },
];

beforeAll(async () => {
  // chalk decides its colour level when it loads: load the renderer as a colour terminal would.
  const saved = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '1';
  try {
    ({ toTerminal } = await import('../../src/course/terminal.js'));
  } finally {
    if (saved === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = saved;
  }
  course = await loadCourse();
});

const words = (text: string) => new Set(stripVTControlCharacters(text).split(/\s+/).filter((w) => /[A-Za-z]{3}/.test(w)));

describe('every lesson in a terminal', () => {
  it('in colour, colour codes are whole escape sequences (none printed raw, as `[33m` in list items was)', () => {
    for (const ctx of contexts) {
      for (const lesson of course.lessons) {
        const shown = toTerminal(renderLesson(lesson, ctx), { color: true, width: 80 });
        expect(shown, `${lesson.id} has no colour at all: the test would prove nothing`).toMatch(/\x1b\[3\dm/);
        const raw = stripVTControlCharacters(shown).match(/.{0,30}\[\d{1,3}m.{0,30}/g);
        expect(raw, `${lesson.id} (${ctx.target}${ctx.client ? `, ${ctx.client}` : ''})`).toBeNull();
      }
    }
  });

  it('with 0 columns reported, wraps at 80 and loses no word', () => {
    expect(terminalWidth(0)).toBe(80);
    expect(terminalWidth(undefined)).toBe(80);
    expect(terminalWidth(60)).toBe(60);
    expect(terminalWidth(300)).toBe(100);
    for (const lesson of course.lessons) {
      const markdown = renderLesson(lesson, contexts[0]!);
      const expected = words(toTerminal(markdown, { color: false, width: 80 }));
      const zero = toTerminal(markdown, { color: false, width: terminalWidth(0) });
      expect(zero.trim().length, lesson.id).toBeGreaterThan(200);
      const missing = [...expected].filter((w) => !words(zero).has(w));
      expect(missing, lesson.id).toEqual([]);
      // Even a caller that passes 0 itself gets the fallback.
      expect(toTerminal(markdown, { color: false, width: 0 })).toBe(zero);
    }
  });
});
