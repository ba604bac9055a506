// Generates src/model/generated/*.ts from schemas/*.schema.json: the schemas are the single source of
// the user-facing types. `--check` fails when the committed files are out of date (run by the tests).
import { compileFromFile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
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
if (stale.length) {
  console.error(`generated types are stale: ${stale.join(', ')} — run npm run gen:types`);
  process.exit(1);
}
