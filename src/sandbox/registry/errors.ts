import type { ServerResponse } from 'node:http';

/**
 * Every error the sandbox's registry front answers with, as one table in the manner of
 * distribution's `errcode` registry: the wire code, the HTTP status and the message. Codes are
 * distribution's registered ones, because docker prints a known code as `<code in lower case>:
 * <message>` (`name unknown: …`, `tag invalid: …`) and an unknown one as `unknown: …`; the one
 * exception, NOT_FOUND, answers paths no registry client asks for.
 * ECR's own wording is copied where it is known (ecr-facts §4); the rest is the sandbox's.
 */

/** The registry's API version header, which docker expects on every answer. */
export const API_VERSION_HEADER = { 'Docker-Distribution-Api-Version': 'registry/2.0' } as const;

interface ErrorEntry<Args extends unknown[]> {
  code: string;
  status: number;
  message: (...args: Args) => string;
}

function entry<Args extends unknown[]>(code: string, status: number, message: (...args: Args) => string): ErrorEntry<Args> {
  return { code, status, message };
}

/** The table: name → wire code, HTTP status, message builder. */
export const REGISTRY_ERRORS = {
  /** No Authorization header (or not Basic): docker answers this with `no basic auth credentials`. */
  noCredentials: entry(
    'UNAUTHORIZED',
    401,
    (registryHost: string) =>
      `Not authorized: log in first with 'aws ecr get-login-password | docker login --username AWS --password-stdin ${registryHost}'.`,
  ),
  /** Basic credentials whose user is not AWS: `docker login` shows `failed with status: 401 Unauthorized`. */
  wrongUserName: entry(
    'UNAUTHORIZED',
    401,
    (user: string) =>
      `The user name '${user}' is not valid for ECR: log in with the user name AWS and the password from 'aws ecr get-login-password'.`,
  ),
  /** A password the sandbox did not sign (a typo, another registry's, or issued before a sandbox reset). */
  badPassword: entry(
    'UNAUTHORIZED',
    401,
    () => "The password is not a valid authorization token for this registry: run 'aws ecr get-login-password' and log in again.",
  ),
  // ECR's exact wording and status; no WWW-Authenticate goes with it (soci-snapshotter PR #1196).
  tokenExpired: entry('DENIED', 403, () => 'Your authorization token has expired. Reauthenticate and try again.'),
  // The identity the token carries no longer has active credentials. Sandbox wording: no public capture.
  credentialsRevoked: entry(
    'DENIED',
    403,
    () =>
      "The access key this login was made with has been deleted or made Inactive, or its role session is over. Log in again with active credentials: 'aws ecr get-login-password | docker login …'.",
  ),
  // IAM refused the request: the message is AWS's (`User: … is not authorized to perform: ecr:… on resource: …`).
  accessDenied: entry('DENIED', 403, (message: string) => message),
  // Real ECR answers 400 to a token from another region (aws/aws-cli#5317); the body is the sandbox's.
  tokenForOtherRegion: entry(
    'DENIED',
    400,
    (tokenRegion: string, registryRegion: string) =>
      `Your authorization token was issued in region '${tokenRegion}', but this registry is in region '${registryRegion}'. Run 'aws ecr get-login-password --region ${registryRegion}' and log in again.`,
  ),
  // ECR never creates a repository on push; same wording as the API's RepositoryNotFoundException.
  nameUnknown: entry(
    'NAME_UNKNOWN',
    404,
    (name: string, registryId: string) =>
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
  ),
  nameInvalid: entry(
    'NAME_INVALID',
    400,
    (name: string) =>
      `Invalid repository name '${name}': ECR names are 2-256 characters of lower-case letters, digits and . _ - separators, with / between path components.`,
  ),
  manifestUnknown: entry('MANIFEST_UNKNOWN', 404, () => 'Requested image not found'),
  tagInvalid: entry(
    'TAG_INVALID',
    400,
    (tag: string, repository: string) =>
      `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
  ),
  tagNameInvalid: entry(
    'TAG_INVALID',
    400,
    (tag: string) =>
      `Invalid tag '${tag}': a tag is 1-128 letters, digits, underscores, periods and dashes, and does not start with a period or a dash.`,
  ),
  manifestTooLarge: entry(
    'MANIFEST_INVALID',
    400,
    (limit: number) => `The manifest is larger than the ${limit} bytes ECR accepts.`,
  ),
  manifestNotJson: entry('MANIFEST_INVALID', 400, (reason: string) => `The manifest is not valid JSON: ${reason}`),
  // ECR deletes blobs only with the images that use them (BatchDeleteImage), never one by one.
  deleteUnsupported: entry(
    'UNSUPPORTED',
    405,
    () => "ECR does not delete layers through the registry API: delete the image with 'aws ecr batch-delete-image' (or delete-repository --force).",
  ),
  // ECR deletes manifests by digest (its user guide: `oras manifest delete <repo>@<digest>`); a
  // registry that does not delete tags answers 400 or 405 (distribution spec), and the sandbox does.
  deleteByTagUnsupported: entry(
    'UNSUPPORTED',
    405,
    (tag: string) =>
      `ECR deletes a manifest through the registry API by digest only, not by the tag '${tag}': DELETE /v2/<name>/manifests/<digest>, or 'aws ecr batch-delete-image --image-ids imageTag=${tag}'.`,
  ),
  // BatchDeleteImage's ImageReferencedByManifestList failure, through the registry API.
  manifestReferenced: entry('DENIED', 409, (parents: string[]) => `Requested image referenced by manifest list: [${parents.join(', ')}]`),
  digestInvalid: entry(
    'DIGEST_INVALID',
    400,
    (digest: string) => `Invalid digest '${digest}': a digest is <algorithm>:<hex>, such as sha256: followed by 64 lower-case hex digits.`,
  ),
  manifestDigestMismatch: entry(
    'DIGEST_INVALID',
    400,
    (reference: string, digest: string) => `The manifest's digest is ${digest}, not the ${reference} it was pushed to.`,
  ),
  // The distribution spec's answer to an out-of-order chunk (`416 Requested Range Not Satisfiable`).
  rangeInvalid: entry(
    'RANGE_INVALID',
    416,
    (range: string, next: number) =>
      `Content-Range ${range} does not continue the upload: its next chunk starts at byte ${next}. Send the chunks in order, each starting where the last one ended.`,
  ),
  methodUnsupported: entry(
    'UNSUPPORTED',
    405,
    (method: string, path: string) => `The registry does not support ${method} on ${path}.`,
  ),
  notFound: entry('NOT_FOUND', 404, (path: string) => `The ECR sandbox's registry does not serve ${path}.`),
  registryUnavailable: entry(
    'UNAVAILABLE',
    503,
    (reason: string) =>
      `The sandbox's registry container is not answering (${reason}). Run 'ecr-workbook sandbox up' to start a new one on the same storage: your repositories and images are kept.`,
  ),
  registryStarting: entry(
    'UNAVAILABLE',
    503,
    () => "The sandbox's registry container is still starting. Try again in a moment; 'ecr-workbook sandbox status' says when it is up.",
  ),
  stateNotSaved: entry(
    'UNAVAILABLE',
    503,
    (reason: string) => `The sandbox could not record the image (${reason}); the push did not complete. Try again.`,
  ),
  internalError: entry('UNKNOWN', 500, (reason: string) => `The ECR sandbox failed to handle the request: ${reason}`),
} as const;

export type RegistryErrorName = keyof typeof REGISTRY_ERRORS;
type ArgsOf<N extends RegistryErrorName> = Parameters<(typeof REGISTRY_ERRORS)[N]['message']>;

/** A registry error ready to send: thrown inside the proxy, written by `sendRegistryError`. */
export class RegistryError extends Error {
  constructor(
    readonly key: RegistryErrorName,
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Builds the named error from the table with its message arguments. */
export function registryError<N extends RegistryErrorName>(name: N, ...args: ArgsOf<N>): RegistryError {
  const spec = REGISTRY_ERRORS[name] as ErrorEntry<ArgsOf<N>>;
  return new RegistryError(name, spec.code, spec.status, spec.message(...args));
}

/** Where the Basic challenge points: real ECR names its own https host; the sandbox is plain http. */
export function basicChallenge(registryHost: string): string {
  return `Basic realm="http://${registryHost}/",service="ecr.amazonaws.com"`;
}

/**
 * The one writer: `{"errors":[{"code","message"}]}` with the entry's status. Every 401
 * carries the Basic challenge (docker needs it to send credentials at all); nothing else does.
 * HEAD answers carry the headers only.
 */
export function sendRegistryError(
  res: ServerResponse,
  error: RegistryError,
  options: { registryHost: string; head?: boolean },
): void {
  // ECR's shape exactly: code and message, no `detail` (soci-snapshotter's captured DENIED body).
  const body = JSON.stringify({ errors: [{ code: error.code, message: error.message }] });
  const headers: Record<string, string | number> = {
    ...API_VERSION_HEADER,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  };
  if (error.status === 401) headers['WWW-Authenticate'] = basicChallenge(options.registryHost);
  res.writeHead(error.status, headers);
  res.end(options.head ? undefined : body);
}
