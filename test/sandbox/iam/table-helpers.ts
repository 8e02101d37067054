import { evaluate, type Decision, type PolicyRef } from '../../../src/sandbox/iam/evaluate.js';
import { parsePolicy } from '../../../src/sandbox/iam/policy.js';
import type { TableCase } from './evaluation-table.js';

/** A table case's policies, parsed as IAM would have stored them. */
export function casePolicies(c: Pick<TableCase, 'identity' | 'resourcePolicy' | 'trust'>): { identity: PolicyRef[]; resource?: PolicyRef } {
  const identity = (c.identity ?? []).map((doc, i) => ({
    id: `identity-${i}`,
    type: 'identity' as const,
    document: parsePolicy(JSON.stringify(doc), 'identity'),
  }));
  const resource = c.resourcePolicy
    ? {
        id: 'resource',
        type: 'resource' as const,
        document: parsePolicy(JSON.stringify(c.resourcePolicy), c.trust ? 'trust' : 'resource'),
        ...(c.trust ? { trust: true } : {}),
      }
    : undefined;
  return { identity, ...(resource ? { resource } : {}) };
}

/** The evaluator's decision on a table case. */
export function decide(c: TableCase): Decision {
  const { identity, resource } = casePolicies(c);
  return evaluate(c.request, identity, resource);
}
