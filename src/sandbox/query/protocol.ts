import type { ServerResponse } from 'node:http';

/**
 * The AWS query protocol that IAM and STS speak: form-encoded POST bodies
 * (`Action=…&Version=…&Member.N=…`) in, XML out. Each service brings its XML namespace and its
 * error table; parsing, member validation (with the Coral framework's wording, which IAM and STS
 * share) and serialization are here, once.
 */

/** An error answered as `ErrorResponse/Error/{Type,Code,Message}`; built from a service's error table. */
export class QueryError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * The framework's own validation failure, shared by every query service:
 * `1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: …`.
 */
export function validationError(member: string, value: string | null, constraint: string): QueryError {
  const shown = value === null ? 'null' : `'${value}'`;
  return new QueryError(
    'ValidationError',
    400,
    `1 validation error detected: Value ${shown} at '${lowerFirst(member)}' failed to satisfy constraint: ${constraint}`,
  );
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** One member's model constraints (botocore's service-2.json: min, max, pattern). */
export interface StringRule {
  min?: number;
  max?: number;
  /** The model's pattern, matched against the whole value; quoted as-is in the error. */
  pattern?: string;
}

const patternCache = new Map<string, RegExp>();
function fullMatch(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    // The models write Java-style \uXXXX escapes, which a `u`-flag RegExp reads the same way.
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re.test(value);
}

/** A parsed request: the form's members, read and validated by model rules. */
export class QueryParams {
  readonly action: string | undefined;

  constructor(private readonly params: URLSearchParams) {
    this.action = params.get('Action') ?? undefined;
  }

  /** Parses a form body (`application/x-www-form-urlencoded`). */
  static parse(body: Buffer): QueryParams {
    return new QueryParams(new URLSearchParams(body.toString('utf8')));
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** A member as sent, unchecked (the authorizer reads names before the handler validates them). */
  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A string member checked against its rule; undefined when absent. */
  optionalString(name: string, rule: StringRule = {}): string | undefined {
    const value = this.params.get(name);
    if (value === null) return undefined;
    checkString(name, value, rule);
    return value;
  }

  /** A required string member (`Member must not be null` when absent). */
  requiredString(name: string, rule: StringRule = {}): string {
    const value = this.optionalString(name, rule);
    if (value === undefined) throw validationError(name, null, 'Member must not be null');
    return value;
  }

  /** One of an enum's values. */
  optionalEnum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.params.get(name);
    if (value === null) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw validationError(name, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
    }
    return value as T;
  }

  requiredEnum<T extends string>(name: string, values: readonly T[]): T {
    const value = this.optionalEnum(name, values);
    if (value === undefined) throw validationError(name, null, 'Member must not be null');
    return value;
  }

  /** An integer member within [min, max]. */
  optionalInteger(name: string, min?: number, max?: number): number | undefined {
    const raw = this.params.get(name);
    if (raw === null) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value)) throw validationError(name, raw, 'Member must be an integer');
    if (min !== undefined && value < min) throw validationError(name, raw, `Member must have value greater than or equal to ${min}`);
    if (max !== undefined && value > max) throw validationError(name, raw, `Member must have value less than or equal to ${max}`);
    return value;
  }

  /** A boolean member (`true`/`false`, as botocore serializes them). */
  optionalBoolean(name: string): boolean | undefined {
    const raw = this.params.get(name);
    if (raw === null) return undefined;
    if (raw !== 'true' && raw !== 'false') throw validationError(name, raw, 'Member must be a boolean');
    return raw === 'true';
  }

  /**
   * A list member: `Name.member.1`, `Name.member.2`, … (an empty list is sent as `Name=`).
   * Each element is read by `read` with its own prefix, so lists of structures work too.
   */
  list<T>(name: string, read: (prefix: string) => T): T[] | undefined {
    const items: T[] = [];
    for (let i = 1; this.hasPrefix(`${name}.member.${i}`); i++) items.push(read(`${name}.member.${i}`));
    if (items.length > 0) return items;
    return this.params.has(name) ? [] : undefined;
  }

  /** A list of strings, each checked against the rule; `max` bounds the list's length. */
  stringList(name: string, rule: StringRule = {}, max?: number): string[] | undefined {
    const items = this.list(name, (prefix) => this.requiredString(prefix, rule));
    if (items && max !== undefined && items.length > max) {
      throw validationError(name, null, `Member must have length less than or equal to ${max}`);
    }
    return items;
  }

  private hasPrefix(prefix: string): boolean {
    if (this.params.has(prefix)) return true;
    for (const key of this.params.keys()) if (key.startsWith(`${prefix}.`)) return true;
    return false;
  }
}

function checkString(name: string, value: string, rule: StringRule): void {
  if (rule.min !== undefined && value.length < rule.min) {
    throw validationError(name, value, `Member must have length greater than or equal to ${rule.min}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    throw validationError(name, value, `Member must have length less than or equal to ${rule.max}`);
  }
  if (rule.pattern !== undefined && !fullMatch(rule.pattern, value)) {
    throw validationError(name, value, `Member must satisfy regular expression pattern: ${rule.pattern}`);
  }
}

// ---------------------------------------------------------------- XML out

/**
 * A value to serialize: a structure is an object whose keys are element names in the model's
 * order (undefined members are left out), a list an array (each item a `<member>`), a timestamp
 * a `Date` (ISO 8601, as IAM and STS print them), scalars their text.
 */
export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [element: string]: XmlValue };

/** A timestamp as IAM writes it: ISO 8601 in UTC, whole seconds. */
export function isoSeconds(epochSeconds: number): Date {
  return new Date(Math.floor(epochSeconds) * 1000);
}

export function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function scalarText(value: string | number | boolean | Date): string {
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  }
  return xmlEscape(String(value));
}

/** `<name>…</name>` for a value, indented by `depth`. */
export function xmlElement(name: string, value: XmlValue, depth = 0): string {
  if (value === undefined) return '';
  const pad = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}<${name}/>\n`;
    return `${pad}<${name}>\n${value.map((item) => xmlElement('member', item, depth + 1)).join('')}${pad}</${name}>\n`;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    const inner = Object.entries(value)
      .map(([child, v]) => xmlElement(child, v, depth + 1))
      .join('');
    return inner ? `${pad}<${name}>\n${inner}${pad}</${name}>\n` : `${pad}<${name}/>\n`;
  }
  return `${pad}<${name}>${scalarText(value)}</${name}>\n`;
}

/**
 * A successful answer: `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>`.
 * Operations with no output (DeleteUser) have no Result element.
 */
export function queryResponse(namespace: string, action: string, result: Record<string, XmlValue> | undefined, requestId: string): string {
  const resultXml = result === undefined ? '' : xmlElement(`${action}Result`, result, 1) || `  <${action}Result/>\n`;
  return `<${action}Response xmlns="${namespace}">\n${resultXml}  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
}

/** The error answer: `ErrorResponse/Error/{Type,Code,Message}` plus RequestId. */
export function queryErrorBody(namespace: string, error: QueryError, requestId: string): string {
  return `<ErrorResponse xmlns="${namespace}">
  <Error>
    <Type>${error.type}</Type>
    <Code>${xmlEscape(error.code)}</Code>
    <Message>${xmlEscape(error.message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`;
}

/** Writes an XML answer with the request id header. */
export function sendXml(res: ServerResponse, status: number, requestId: string, xml: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amzn-RequestId': requestId,
  });
  res.end(xml);
}
