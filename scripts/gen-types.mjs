// Generates from schemas/*.schema.json, the single source of the user-facing types:
// - src/model/generated/*.ts: the TypeScript types;
// - src/manifest/generated/validators.ts: the playbook and inventory validators, compiled by Ajv ahead
//   of time (standalone code), so no CLI run pays for loading and compiling Ajv (~0.2 s each).
// `--check` fails when the committed files are out of date (run by the tests).
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { compileFromFile } from 'json-schema-to-typescript';
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = [];
for (const f of readdirSync(join(root, 'schemas')).filter((n) => n.endsWith('.schema.json')).sort()) {
  const name = f.replace('.schema.json', '');
  const ts = await compileFromFile(join(root, 'schemas', f), {
    bannerComment: `/* Generated from schemas/${f} by scripts/gen-types.mjs: edit the schema, then npm run gen:types. */`,
    style: { singleQuote: true, printWidth: 110 },
    additionalProperties: false,
    unreachableDefinitions: true,
    cwd: join(root, 'schemas'),
  });
  const out = join(root, 'src/model/generated', `${name}.ts`);
  let old = '';
  try { old = readFileSync(out, 'utf8'); } catch {}
  if (old !== ts) {
    if (check) stale.push(out); else writeFileSync(out, ts);
  }
}
const PLAYBOOK_ID = 'https://kernfleet.dev/schemas/playbook.schema.json';
const INVENTORY_ID = 'https://kernfleet.dev/schemas/inventory.schema.json';
{
  const read = (name) => JSON.parse(readFileSync(join(root, 'schemas', name), 'utf8'));
  // The same options src/manifest/schema.ts documents: all errors, and verbose (errors carry their schema, for hints).
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, code: { source: true, esm: true } });
  ajv.addSchema(read('playbook.schema.json')).addSchema(read('inventory.schema.json'));
  const code = standalone.default(ajv, { playbook: PLAYBOOK_ID, inventory: INVENTORY_ID, vars: `${INVENTORY_ID}#/definitions/Vars` })
    // Ajv's ESM output still require()s its runtime helpers (CommonJS): import them instead (Node hands
    // a CommonJS default import the exports object, bundlers such as vitest's the default export).
    .replace(/const (func\d+) = require\("([^"]+)"\)\.default;/g, (_, name, path) => `import ${name}_module from "${path}.js";const ${name} = typeof ${name}_module === "function" ? ${name}_module : ${name}_module.default;`)
    .replace(/^"use strict";/, '');
  if (/require\(/.test(code)) throw new Error('standalone validators: an unexpected require() is left in the generated code');
  const ts = `/* Generated from schemas/playbook.schema.json and inventory.schema.json by scripts/gen-types.mjs (Ajv standalone code): edit the schemas, then npm run gen:types. */\n// @ts-nocheck\n${code}\n`;
  const out = join(root, 'src/manifest/generated/validators.ts');
  let old = '';
  try { old = readFileSync(out, 'utf8'); } catch {}
  if (old !== ts) {
    if (check) stale.push(out); else { mkdirSync(dirname(out), { recursive: true }); writeFileSync(out, ts); }
  }
}
if (stale.length) {
  console.error(`generated types are stale: ${stale.join(', ')} — run npm run gen:types`);
  process.exit(1);
}
