/**
 * The registry API's routes (distribution's `v2/routes.go`, plus the OCI 1.1 referrers route) as
 * data: what a `/v2…` path asks for. Repository names may contain '/', so each pattern anchors
 * on its suffix and takes the longest name before it.
 */
export type RegistryRoute =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'upload'; name: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'unknown' };

const ROUTES: Array<[RegExp, (m: RegExpExecArray) => RegistryRoute]> = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  // An upload session's id is the registry's UUID; anything else in that place is no upload.
  [/^\/v2\/(.+)\/blobs\/uploads\/(?:[A-Za-z0-9_.=-]+)?$/, (m) => ({ kind: 'upload', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
];

/** What a registry path (without its query) asks for. */
export function parseRoute(pathname: string): RegistryRoute {
  for (const [pattern, build] of ROUTES) {
    const match = pattern.exec(pathname);
    if (match) return build(match);
  }
  return { kind: 'unknown' };
}

/**
 * A digest as the OCI image spec defines it (`algorithm:encoded`), with the registered
 * algorithms' exact lengths. Only such a digest ever reaches the registry behind the sandbox:
 * it decodes `%2f` where the sandbox does not, and would resolve `sha256:x%2f..%2f..` to a path
 * in another repository.
 */
export function isValidDigest(value: string): boolean {
  if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value)) return false;
  if (value.startsWith('sha256:')) return /^sha256:[a-f0-9]{64}$/.test(value);
  if (value.startsWith('sha512:')) return /^sha512:[a-f0-9]{128}$/.test(value);
  return true;
}
