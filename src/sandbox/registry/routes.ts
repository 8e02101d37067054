/**
 * The registry API's routes (distribution's `v2/routes.go`) as data: what a `/v2…` path asks
 * for. Repository names may contain '/', so each pattern anchors on its suffix and takes the
 * longest name before it.
 */
export type RegistryRoute =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'upload'; name: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'unknown' };

const ROUTES: Array<[RegExp, (m: RegExpExecArray) => RegistryRoute]> = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/[^/]*$/, (m) => ({ kind: 'upload', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
];

/** What a registry path (without its query) asks for. */
export function parseRoute(pathname: string): RegistryRoute {
  for (const [pattern, build] of ROUTES) {
    const match = pattern.exec(pathname);
    if (match) return build(match);
  }
  return { kind: 'unknown' };
}
