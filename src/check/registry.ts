/** Finding and loading checks: one module per check in the top-level checks/ folder. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Check, CheckContext, CheckResult } from './types.js';

/** checks/ beside src/ — in the source tree (vitest) and in dist/ alike. */
export function checksDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../checks');
}

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SUPPORT = new Set(['index']);

/** The ids of every check module (file names without extension). */
export function listCheckIds(dir: string = checksDir()): string[] {
  const ids = new Set<string>();
  for (const file of fs.readdirSync(dir)) {
    const m = /^(.+)\.(ts|js)$/.exec(file);
    if (m && !file.endsWith('.d.ts') && !file.endsWith('.map') && ID.test(m[1]!) && !SUPPORT.has(m[1]!)) ids.add(m[1]!);
  }
  return [...ids].sort();
}

/** Loads a check by id; an unknown id is an error naming the ids that exist. */
export async function loadCheck(id: string, dir: string = checksDir()): Promise<Check> {
  if (!ID.test(id)) throw new Error(`'${id}' is not a check id (kebab-case expected).`);
  const js = path.join(dir, `${id}.js`);
  const ts = path.join(dir, `${id}.ts`);
  const file = fs.existsSync(js) ? js : fs.existsSync(ts) ? ts : undefined;
  if (!file) throw new Error(`There is no check '${id}'. Checks: ${listCheckIds(dir).join(', ')}.`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: Check };
  if (typeof mod.default !== 'function') throw new Error(`checks/${id} does not export a check as its default export.`);
  return mod.default;
}

/** Runs a check; an exception inside it becomes "could not check", never a pass. */
export async function runCheck(id: string, ctx: CheckContext, params: Record<string, unknown> = {}): Promise<CheckResult & { check: string; ms: number }> {
  const started = performance.now();
  const check = await loadCheck(id);
  let result: CheckResult;
  try {
    result = await check(ctx, params);
  } catch (error) {
    result = {
      status: 'error',
      summary: `the check '${id}' failed to run: ${(error as Error).message}`,
      evidence: [],
      diagnosis: { id: 'check-crashed', mistake: (error as Error).message, fix: 'This is a bug in the workbook; please report it with the output of `ecr-workbook check --json`.' },
    };
  }
  return { ...result, check: id, ms: Math.round(performance.now() - started) };
}
