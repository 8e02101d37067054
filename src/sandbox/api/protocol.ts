import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError, errors } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** A request id in AWS's usual UUID shape. */
export function requestId(): string {
  return crypto.randomUUID();
}

/** Parses an AWS JSON 1.1 body: an empty body counts as `{}`, anything but an object is refused. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw errors.serialization(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.serialization('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Writes a successful JSON 1.1 answer. */
export function sendJson(res: ServerResponse, id: string, output: unknown): void {
  const body = JSON.stringify(output ?? {});
  res.writeHead(200, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': id,
  });
  res.end(body);
}

/** Writes an AWS JSON error: `{"__type": code, "message": text}` with the error's status. */
export function sendJsonError(res: ServerResponse, id: string, error: AwsError): void {
  const body = JSON.stringify({ __type: error.code, message: error.message, ...error.fields });
  res.writeHead(error.status, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': id,
    'x-amzn-ErrorType': `${error.code}:`,
  });
  res.end(body);
}

/** Any thrown value as an AwsError: unexpected ones become ServerException (500). */
export function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  return errors.server(`The ECR sandbox failed unexpectedly: ${(error as Error)?.message ?? String(error)}`);
}
