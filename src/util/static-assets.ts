/**
 * Static files the workbook's pages serve (hand-written CSS and JS, no build step). tsc copies
 * no non-TS files into dist/, so they are found where they are written: in an `assets/` folder
 * next to the module when it runs from src/, else at their path in the package (shipped in the
 * npm package; the case in dist/src/…).
 */
import fs from 'node:fs';
import path from 'node:path';

/** One static file, read once and kept: they are small, and never change while a server runs. */
export interface Asset {
  body: Buffer;
  contentType: string;
}

const hasAll = (dir: string, names: readonly string[]) => names.every((name) => fs.existsSync(path.join(dir, name)));

function readPackageName(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/**
 * The folder holding `names`, searched from `from` (a module's folder): its `assets/`, else
 * `inPackage` under the ecr-workbook package root above it; undefined when neither has them.
 */
export function findAssetsDir(from: string, inPackage: string, names: readonly string[]): string | undefined {
  const beside = path.join(from, 'assets');
  if (hasAll(beside, names)) return beside;
  for (let dir = from; ; ) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && readPackageName(pkg) === 'ecr-workbook') {
      const found = path.join(dir, inPackage);
      return hasAll(found, names) ? found : undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads the files named in `types` (name → content type) from `dir` into memory. */
export function loadAssetFiles(dir: string, types: Readonly<Record<string, string>>): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, contentType] of Object.entries(types)) assets.set(name, { body: fs.readFileSync(path.join(dir, name)), contentType });
  return assets;
}
