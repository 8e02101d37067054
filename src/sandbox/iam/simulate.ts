import type { AppliedPolicy } from './backend.js';
import { evalDecisionName, evaluate, type ContextValue, type Principal } from './evaluate.js';

/**
 * IAM's policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) on the sandbox's own
 * evaluator: one EvaluationResult per action and resource, with the statements that decided and
 * where they are in their policy's text, and the context keys the policies asked for that the
 * caller did not give.
 */

export interface Position {
  Line: number;
  Column: number;
}

export interface SimulationInput {
  principal: Principal;
  identityPolicies: AppliedPolicy[];
  resourcePolicy?: AppliedPolicy;
  actions: string[];
  /** `*` when the caller names none. */
  resources: string[];
  /** Who owns the resources when a resource policy is simulated (the ARN's account wins where it has one). */
  resourceOwner?: string;
  context: Record<string, ContextValue>;
  now: number;
}

export interface MatchedStatement {
  SourcePolicyId: string;
  SourcePolicyType: AppliedPolicy['sourceType'];
  StartPosition: Position;
  EndPosition: Position;
}

export interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  MatchedStatements: MatchedStatement[];
  MissingContextValues: string[];
}

const ACCOUNT_IN_ARN = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/;

/** Runs the simulation: every action against every resource. */
export function simulate(input: SimulationInput): EvaluationResult[] {
  const byId = new Map<string, AppliedPolicy>(input.identityPolicies.map((p) => [p.id, p]));
  if (input.resourcePolicy) byId.set(input.resourcePolicy.id, input.resourcePolicy);
  const results: EvaluationResult[] = [];
  for (const action of input.actions) {
    for (const resource of input.resources) {
      // Without a resource policy IAM's simulator weighs identity policies alone, whoever owns the resource.
      const resourceAccount = input.resourcePolicy ? (ACCOUNT_IN_ARN.exec(resource)?.[1] ?? input.resourceOwner) : undefined;
      const decision = evaluate(
        { principal: input.principal, action, resource, resourceAccount, context: input.context, now: input.now },
        input.identityPolicies,
        input.resourcePolicy,
      );
      const name = evalDecisionName(decision);
      // The statements behind the decision: the Allows that granted, or the Deny that refused.
      const effect = name === 'allowed' ? 'Allow' : name === 'explicitDeny' ? 'Deny' : undefined;
      const matched = effect ? decision.matched.filter((m) => m.effect === effect) : [];
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: name,
        MatchedStatements: matched.flatMap((m) => {
          const policy = byId.get(m.policyId);
          const span = policy ? statementSpans(policy.text)[m.index] : undefined;
          if (!policy || !span) return [];
          return [{ SourcePolicyId: policy.name, SourcePolicyType: policy.sourceType, StartPosition: span.start, EndPosition: span.end }];
        }),
        MissingContextValues: decision.missingContextValues,
      });
    }
  }
  return results;
}

/**
 * Where each statement of a policy document sits in its text. IAM counts lines from 1 and
 * gives the column just past the statement's opening and closing braces (the CLI reference's
 * simulate-custom-policy example: a one-line policy whose statement runs from index 36 to 165
 * is reported as columns 38 to 167).
 */
export function statementSpans(text: string): Array<{ start: Position; end: Position }> {
  const spans: Array<{ start: Position; end: Position }> = [];
  let line = 1;
  let column = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = -1;
  let lastKey: string | undefined;
  let lastString: string | undefined;
  /** The depth at which statements open: 2 for `"Statement": {…}`, 3 for `"Statement": [{…}]`. */
  let statementDepth = 0;
  let statementStart: Position | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const after: Position = { Line: line, Column: column + 1 };
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') {
        inString = false;
        lastString = JSON.parse(text.slice(stringStart, i + 1)) as string;
      }
    } else if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === ':') {
      if (depth === 1) lastKey = lastString;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && lastKey === 'Statement') statementDepth = c === '[' ? 3 : 2;
      if (c === '{' && depth === statementDepth) statementStart = after;
    } else if (c === '}' || c === ']') {
      if (c === '}' && depth === statementDepth && statementStart) {
        spans.push({ start: statementStart, end: after });
        statementStart = undefined;
      }
      if (depth === 2) statementDepth = 0;
      depth--;
      if (depth === 1) lastKey = undefined;
    } else if (c === ',' && depth === 1) {
      lastKey = undefined;
    }
    if (c === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return spans;
}
