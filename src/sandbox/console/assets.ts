/** The console's static files (see util/static-assets.ts for how they are found). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAssetsDir, loadAssetFiles, type Asset } from '../../util/static-assets.js';
import { serverText } from './messages.js';

export type { Asset };

/** The files the console serves, by the name in `/console/assets/<name>`. Nothing else is served. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'console.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

const ASSETS_IN_PACKAGE = path.join('src', 'sandbox', 'console', 'assets');
const here = () => path.dirname(fileURLToPath(import.meta.url));

/** The folder holding the console's files, searched from `from` (this module's folder by default). */
export function consoleAssetsDir(from: string = here()): string {
  const dir = findAssetsDir(from, ASSETS_IN_PACKAGE, Object.keys(ASSET_TYPES));
  if (!dir) throw new Error(serverText.assetsMissing(path.join(from, 'assets')));
  return dir;
}

/** Reads the console's files from `dir` into memory. */
export function loadAssets(dir: string = consoleAssetsDir()): Map<string, Asset> {
  return loadAssetFiles(dir, ASSET_TYPES);
}
