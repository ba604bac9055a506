// The JSON Schemas of the contract. Their validators are compiled ahead of time (generated/validators.ts,
// by `npm run gen:types`: loading and compiling Ajv cost every CLI run ~0.2 s); the schema files are
// still read for the words that explain their patterns. They live in the package's schemas/ folder,
// one level above this module's folder both in src/manifest (tsx) and dist/manifest (after tsc).
import { readFile } from 'node:fs/promises';
import type { ValidateFunction } from 'ajv';
import * as validators from './generated/validators.js';

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

export interface CompiledSchemas {
  playbook: ValidateFunction;
  inventory: ValidateFunction;
  /** One vars file (group_vars/, host_vars/): the inventory's Vars definition. */
  vars: ValidateFunction;
  /** Regex source → what a matching value is, in words ("a valid module name (…)"). */
  patternPhrases: Map<string, string>;
}

// Where each pattern sits in its schema, and how to say what it wants. Reading the regex from the
// schema (instead of repeating it here) keeps the words attached to the rule even when it changes.
const PHRASES: [schema: 'playbook' | 'inventory', path: string, phrase: string][] = [
  ['playbook', 'definitions/ModuleName', 'a valid module name (letters, digits, - and _ only)'],
  ['playbook', 'definitions/Modules/properties/options/propertyNames', 'a valid module name (letters, digits, - and _ only)'],
  ['playbook', 'definitions/Modules/properties/options/additionalProperties/propertyNames', 'a valid module parameter name (letters, digits and _ only)'],
  ['playbook', 'definitions/SafeValue', 'a safe value (letters, digits, spaces and . , : / + - _ = @ % only, or a {{ var }} template)'],
  ['playbook', 'definitions/FileName', 'a valid file name (a bare name of letters, digits, ., _ and -)'],
  ['playbook', 'definitions/ConfigWant/anyOf/0', 'a valid config value (y, m, n, ym or a literal such as 1000)'],
  ['playbook', 'definitions/ConfigOptions/propertyNames', 'a kernel config symbol (A-Z, 0-9 and _, CONFIG_ prefix optional)'],
  ['playbook', 'definitions/KernelVersion/anyOf/0', 'a kernel version (such as 5.15 or 6.1.0)'],
  ['playbook', 'definitions/Sysctl/properties/values/propertyNames', 'a sysctl key (dotted, such as vm.swappiness)'],
  ['playbook', 'definitions/SysctlFloor/properties/min/anyOf/1', 'a floor (a non-negative integer, or a {{ var }} template)'],
  ['playbook', 'definitions/Cmdline/properties/set/propertyNames', 'a kernel parameter name (letters, digits, ., _ and -)'],
  ['playbook', 'definitions/Cmdline/properties/remove/items', 'a kernel parameter name (letters, digits, ., _ and -)'],
  ['playbook', 'definitions/When/properties/os.id', 'an os id (lower-case letters, digits, ., _ and -)'],
  ['playbook', 'definitions/Play/properties/hosts', 'a host pattern (names, globs, and : , & ! to combine them)'],
  ['playbook', 'definitions/Play/properties/vars/propertyNames', 'a variable name (letters, digits and _, not starting with a digit)'],
  ['inventory', 'propertyNames', 'a group name (letters, digits, ., _ and -)'],
  ['inventory', 'definitions/Hosts/propertyNames', 'a host name (letters, digits, ., _, -, : and [a:b] ranges)'],
  ['inventory', 'definitions/Vars/properties/ansible_port', 'a port number'],
  ['inventory', 'definitions/Vars/properties/ansible_user', 'a user name (lower-case letters, digits, _, . and -)'],
];

let compiled: Promise<CompiledSchemas> | undefined;

export function loadSchemas(): Promise<CompiledSchemas> {
  compiled ??= compileSchemas();
  return compiled;
}

async function compileSchemas(): Promise<CompiledSchemas> {
  const [playbook, inventory] = await Promise.all([readSchema('playbook.schema.json'), readSchema('inventory.schema.json')]);
  const patternPhrases = new Map<string, string>();
  for (const [name, path, phrase] of PHRASES) {
    const node = path.split('/').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], name === 'playbook' ? playbook : inventory);
    const pattern = (node as { pattern?: unknown } | undefined)?.pattern;
    if (typeof pattern === 'string' && !patternPhrases.has(pattern)) patternPhrases.set(pattern, phrase);
  }
  return {
    playbook: validators.playbook as unknown as ValidateFunction,
    inventory: validators.inventory as unknown as ValidateFunction,
    vars: validators.vars as unknown as ValidateFunction,
    patternPhrases,
  };
}

async function readSchema(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(new URL(name, SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
}
