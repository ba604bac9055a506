// `{{ var }}` templates in playbook values, substituted per host and checked again afterwards.
// Only plain variable references exist (no filters, no expressions): what a template may produce
// is then exactly what the author could have typed.

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The rules a substituted value must pass again; they mirror playbook.schema.json. */
export const VALUE_RULES = {
  // SafeValue without its template alternative.
  safe: { test: /^[A-Za-z0-9.,:/+=@% _-]*$/, maxLength: 512, phrase: 'a safe value (letters, digits, spaces and . , : / + - _ = @ % only)' },
  // ModuleName without its template alternative.
  module: { test: /^[A-Za-z0-9_-]+$/, maxLength: 64, phrase: 'a valid module name (letters, digits, - and _ only)' },
  // SysctlFloor.min: digits only, so the floor compares as an integer.
  integer: { test: /^[0-9]+$/, maxLength: 20, phrase: 'a non-negative integer' },
} as const;

export type ValueRule = keyof typeof VALUE_RULES;

export type Substituted =
  | { ok: true; value: string; templated: boolean }
  | { ok: false; code: 'undefined-variable' | 'invalid-variable' | 'unsafe-value'; message: string; variable?: string };

export function hasTemplate(text: string): boolean {
  return new RegExp(TEMPLATE.source).test(text);
}

/** Replaces every `{{ name }}` from `vars`; fails on an undefined or non-scalar variable or an unsafe result. */
export function substituteTemplates(text: string, vars: Record<string, unknown>, rule: ValueRule): Substituted {
  if (!hasTemplate(text)) return { ok: true, value: text, templated: false };
  let failure = null as Substituted | null;
  const value = text.replace(TEMPLATE, (whole, name: string) => {
    const found = vars[name];
    if (failure) return whole;
    if (found === undefined) {
      failure = { ok: false, code: 'undefined-variable', message: `undefined variable "${name}" in "${text}"`, variable: name };
    } else if (found === null || typeof found === 'object') {
      failure = { ok: false, code: 'invalid-variable', message: `variable "${name}" is ${found === null ? 'empty' : Array.isArray(found) ? 'a list' : 'a map'}, not a single value`, variable: name };
    } else {
      return String(found);
    }
    return whole;
  });
  if (failure) return failure;
  const check = VALUE_RULES[rule];
  if (!check.test.test(value) || value.length > check.maxLength || (rule === 'module' && value === '')) {
    return { ok: false, code: 'unsafe-value', message: `"${text}" becomes ${JSON.stringify(value)}, which is not ${check.phrase}` };
  }
  return { ok: true, value, templated: true };
}
