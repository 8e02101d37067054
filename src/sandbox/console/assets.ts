/**
 * The console's static files (hand-written CSS and JS, no build step). tsc copies no non-TS
 * files into dist/, so they are found where they are written: next to this module when it runs
 * from src/, else in the package's src/sandbox/console/assets (shipped in the npm package).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverText } from './messages.js';

/** The files the console serves, by the name in `/console/assets/<name>`. Nothing else is served. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

const ASSETS_IN_PACKAGE = path.join('src', 'sandbox', 'console', 'assets');
const here = () => path.dirname(fileURLToPath(import.meta.url));

const hasAssets = (dir: string) => Object.keys(ASSET_TYPES).every((name) => fs.existsSync(path.join(dir, name)));

/**
 * The folder holding the console's files, searched from `from` (this module's folder): its
 * `assets/`, else the package root's src/sandbox/console/assets (the case in dist/src/sandbox/console).
 */
export function consoleAssetsDir(from: string = here()): string {
  const beside = path.join(from, 'assets');
  if (hasAssets(beside)) return beside;
  for (let dir = from; ; ) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && readPackageName(pkg) === 'ecr-workbook') {
      const inPackage = path.join(dir, ASSETS_IN_PACKAGE);
      if (hasAssets(inPackage)) return inPackage;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(serverText.assetsMissing(beside));
}

function readPackageName(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** One static file, read once and kept: they are small, and never change while the sandbox runs. */
export interface Asset {
  body: Buffer;
  contentType: string;
}

/** Reads the console's files from `dir` into memory. */
export function loadAssets(dir: string = consoleAssetsDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, contentType] of Object.entries(ASSET_TYPES)) {
    assets.set(name, { body: fs.readFileSync(path.join(dir, name)), contentType });
  }
  return assets;
}
