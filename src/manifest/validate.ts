// ajv errors → Diagnostics an operator understands, each at the file:line:col of the offending key
// (unknown keys, bad key names) or value (everything else). anyOf noise collapses into one message.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../model/index.js';
import { joinPointer, locate } from './locate.js';
import { didYouMean } from './suggest.js';
import type { YamlSource } from './yaml-source.js';

/** A schema failure after anyOf branches are folded: either a plain ajv error or a type mismatch. */
type Issue =
  | { kind: 'error'; path: string; error: ErrorObject }
  | { kind: 'mismatch'; path: string; expected: string[]; actual: unknown };

/** Validates `value` (the JSON form of `source`) and maps every failure to a positioned Diagnostic. */
export function validateAgainstSchema(
  source: YamlSource,
  value: unknown,
  validate: ValidateFunction,
  patternPhrases: Map<string, string>,
  pointerBase = '',
): Diagnostic[] {
  if (validate(value)) return [];
  return foldIssues(validate.errors ?? []).map((issue) => describeIssue(source, issue, patternPhrases, pointerBase));
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

// ajv reports an anyOf's branch errors right before the anyOf error itself, all at or below its
// path; a branch that failed only on type/const/enum at that path means "not this shape".
function foldIssues(errors: ErrorObject[]): Issue[] {
  const out: Issue[] = [];
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      const branches: Issue[] = [];
      while (out.length > 0 && isWithin(out[out.length - 1]!.path, error.instancePath)) branches.unshift(out.pop()!);
      out.push(...foldBranches(error, branches));
    } else if (error.keyword !== 'propertyNames') {
      // propertyNames is a wrapper: the pattern error before it already names the key.
      out.push(asIssue(error));
    }
  }
  return out;
}

function asIssue(error: ErrorObject): Issue {
  const path = error.instancePath;
  if (error.keyword === 'type' && error.propertyName === undefined) {
    const types = Array.isArray(error.params.type) ? error.params.type : String(error.params.type).split(',');
    return { kind: 'mismatch', path, expected: types.map(describeType), actual: error.data };
  }
  if (error.keyword === 'const') return { kind: 'mismatch', path, expected: [JSON.stringify(error.params.allowedValue)], actual: error.data };
  return { kind: 'error', path, error };
}

function foldBranches(anyOf: ErrorObject, branches: Issue[]): Issue[] {
  const shapeMisses = branches.filter((b) => b.kind === 'mismatch' && b.path === anyOf.instancePath);
  const real = branches.filter((b) => !shapeMisses.includes(b));
  // A branch whose shape fitted but whose content did not is what the author meant: report it.
  if (real.length > 0) return real;
  const expected = [...new Set(shapeMisses.flatMap((b) => (b.kind === 'mismatch' ? b.expected : [])))];
  return [{ kind: 'mismatch', path: anyOf.instancePath, expected, actual: anyOf.data }];
}

function describeType(type: string): string {
  const names: Record<string, string> = { object: 'a map', array: 'a list', string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', null: 'nothing' };
  return names[type] ?? type;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'boolean') return String(value);
  return typeof value === 'number' ? `a number (${value})` : `a string ("${value}")`;
}

function joinAlternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function describeIssue(source: YamlSource, issue: Issue, phrases: Map<string, string>, base: string): Diagnostic {
  const diagnostic = (code: string, message: string, pointer: string, at: 'key' | 'value', hint?: string): Diagnostic => ({
    severity: 'error',
    code,
    message,
    ...(hint === undefined ? {} : { hint }),
    source: locate(source, base + pointer, at),
  });
  if (issue.kind === 'mismatch') {
    return diagnostic('wrong-type', `expected ${joinAlternatives(issue.expected)}, got ${describeValue(issue.actual)}`, issue.path, 'value');
  }
  const { error, path } = issue;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = didYouMean(key, allowed) ?? (allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined);
      return diagnostic('unknown-key', `unknown key "${key}"`, joinPointer(path, key), 'key', hint);
    }
    case 'required':
      return diagnostic('missing-key', `missing required key "${String(params.missingProperty)}"`, path, 'value');
    case 'pattern': {
      const phrase = phrases.get(String(params.pattern)) ?? `matching ${String(params.pattern)}`;
      if (error.propertyName !== undefined) {
        return diagnostic('invalid-key', `"${error.propertyName}" is not ${phrase}`, joinPointer(path, error.propertyName), 'key');
      }
      return diagnostic('invalid-value', `${quote(error.data)} is not ${phrase}`, path, 'value');
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return diagnostic('invalid-value', `${quote(error.data)} is not one of ${allowed.join(', ')}`, path, 'value', hint);
    }
    case 'uniqueItems':
      return diagnostic('duplicate-item', `${quote((error.data as unknown[])[Number(params.i)])} is listed twice (items ${String(params.j)} and ${String(params.i)})`, joinPointer(path, Number(params.i)), 'value');
    case 'minLength':
      return diagnostic('invalid-value', Number(params.limit) === 1 ? 'must not be empty' : `${quote(error.data)} is too short (at least ${String(params.limit)} characters)`, path, 'value');
    case 'maxLength':
      return diagnostic('invalid-value', `${quote(error.data)} is too long (at most ${String(params.limit)} characters)`, path, 'value');
    case 'minimum':
    case 'maximum':
      return diagnostic('invalid-value', `${quote(error.data)} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`, path, 'value');
    default:
      return diagnostic('schema', `${error.message ?? 'is not valid'}`, path, 'value');
  }
}
