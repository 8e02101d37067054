import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessonsDir } from '../../src/course/lessons-dir.js';
import { bankDir, loadBank } from '../../src/quiz/bank.js';
import { lintCourse } from '../../src/runner/course-check.js';
import { lintDrills } from '../../src/drills/lint.js';
import { drillsDir, loadDrills, parseDrill, readDrills } from '../../src/drills/load.js';
import { SCENARIOS } from '../../src/drills/scenarios/index.js';
import { DRILL_PLACEHOLDERS, renderDrillCommand, renderDrillMarkdown } from '../../src/drills/vars.js';
import { tempDir } from '../helpers/sandbox.js';

// The drill files as authors write them: the schema, the story / post-mortem split, the
// placeholders, the lint against the scenarios and the bank; and every shipped drill rendered.
const FRONT = `id: demo
title: A demo drill
topic: iam
diagnosis: access-denied
symptom: docker push {{uri}}:v1
hints: [one, two]
fix:
  - docker push {{uri}}:v1`;
const file = (front = FRONT, body = 'The story.\n\n## Post-mortem\n\nWhat happened.\n') => `---\n${front}\n---\n${body}`;

describe('a drill file', () => {
  it('parses into the front matter, the story and the post-mortem', () => {
    const { drill, problems } = parseDrill(file(), 'demo');
    expect(problems).toEqual([]);
    expect(drill).toMatchObject({ id: 'demo', topic: 'iam', hints: ['one', 'two'], story: 'The story.', postMortem: 'What happened.' });
  });

  it('reports every problem at once: the schema, the id, the post-mortem, unknown placeholders', () => {
    const front = `id: other
title: ''
topic: iam
diagnosis: Access_Denied
symptom: docker push {{url}}:v1
hints: [only one]
fix: []`;
    const { drill, problems } = parseDrill(file(front, 'A story with {{nope}}.\n'), 'demo');
    expect(drill).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        'title: must not be empty',
        'diagnosis: must be kebab-case (lowercase letters and digits joined by dashes)',
        'hints: must have at least 2',
        'fix: must have at least 1',
        "id: must equal the file name's slug 'demo' (it is 'other')",
        expect.stringContaining('needs a `## Post-mortem` heading'),
        expect.stringMatching(/^symptom: unknown placeholder \{\{url\}\}/),
        expect.stringMatching(/^body: unknown placeholder \{\{nope\}\}/),
      ]),
    );
  });

  it('an empty story or post-mortem is refused; vars: adds placeholders', () => {
    expect(parseDrill(file(FRONT, '## Post-mortem\n\nText.\n'), 'demo').problems).toContain('the story (the text before `## Post-mortem`) is empty');
    expect(parseDrill(file(FRONT, 'Story.\n\n## Post-mortem\n'), 'demo').problems).toContain('the post-mortem (the text after `## Post-mortem`) is empty');
    expect(parseDrill(file(`${FRONT}\nvars: [helper]`, 'Uses {{helper}}.\n\n## Post-mortem\n\nX.\n'), 'demo').problems).toEqual([]);
    expect(parseDrill(file(FRONT, 'Uses {{helper}}.\n\n## Post-mortem\n\nX.\n'), 'demo').problems).toEqual([expect.stringMatching(/^body: unknown placeholder \{\{helper\}\}/)]);
  });

  it('a folder: bad file names, no front matter and broken YAML are named with their file', async () => {
    const dir = path.join(tempDir('ecrwb-drills-load-'), 'lessons', 'drills');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Bad_Name.md'), file());
    fs.writeFileSync(path.join(dir, 'plain.md'), 'no front matter\n');
    fs.writeFileSync(path.join(dir, 'broken.md'), '---\nid: [\n---\nx\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'authors\n');
    const { drills, problems } = await readDrills(dir);
    expect(drills).toBeUndefined();
    expect(problems).toEqual([
      expect.stringMatching(/^lessons\/drills\/Bad_Name\.md: drill files are named <id>\.md/),
      expect.stringMatching(/^lessons\/drills\/broken\.md: line \d+: front matter is not valid YAML/),
      'lessons/drills/plain.md: must start with YAML front matter between two --- lines',
    ]);
    expect((await readDrills(path.join(dir, 'missing'))).problems).toEqual([expect.stringContaining('no drills found')]);
  });
});

describe('the shipped drills', () => {
  it('load, lint clean against the scenarios and the bank, and course check lints them', async () => {
    const { drills } = await loadDrills(drillsDir(lessonsDir()));
    expect(drills).toHaveLength(10);
    expect(drills.map((d) => d.id).sort()).toEqual(Object.keys(SCENARIOS).sort());
    const bank = await loadBank(bankDir(lessonsDir()));
    expect(lintDrills(drills, bank.topics.map((t) => t.id), Object.keys(SCENARIOS))).toEqual([]);
    expect(new Set(drills.map((d) => d.diagnosis)).size).toBe(10);
    expect((await lintCourse()).problems).toEqual([]);
  });

  it('lint names a drill without a scenario, a scenario without a drill, and an unknown topic', async () => {
    const { drills } = await loadDrills(drillsDir(lessonsDir()));
    const one = { ...drills[0]!, id: 'ghost', topic: 'astrology' };
    expect(lintDrills([one], ['iam'], ['real'])).toEqual([
      'lessons/drills/ghost.md: there is no src/drills/scenarios/ghost.ts for this drill: its setup and check live there',
      "lessons/drills/ghost.md: topic: 'astrology' is not a question bank topic (known: iam)",
      'src/drills/scenarios/real.ts has no lessons/drills/real.md',
    ]);
  });

  it('every text renders with a run’s values; aws commands get --endpoint-url for an old CLI, docker ones never', async () => {
    const { drills } = await loadDrills(drillsDir(lessonsDir()));
    const vars = Object.fromEntries(DRILL_PLACEHOLDERS.map((p) => [p, `<${p}>`]));
    const extra = { otherRegion: 'us-west-2', helper: 'desktop' };
    for (const drill of drills) {
      const all = { ...vars, ...extra };
      for (const text of [drill.story, drill.postMortem, drill.title, ...drill.hints]) expect(renderDrillMarkdown(text, all, 'http://localhost:5123')).not.toMatch(/\{\{[a-zA-Z]+\}\}/);
      for (const command of [drill.symptom, ...drill.fix]) {
        const rendered = renderDrillCommand(command, all, 'http://localhost:5123');
        for (const line of rendered.split(/\s*(?:\||&&)\s*|\n/)) {
          if (/^aws (ecr|iam|sts)\b/.test(line)) expect(line, `${drill.id}: ${line}`).toMatch(/^aws (ecr|iam|sts) --endpoint-url http:\/\/localhost:5123 /);
        }
      }
    }
    expect(() => renderDrillCommand('docker push {{uri}}', {})).toThrow(/uses \{\{uri\}\}, which has no value/);
  });
});
