// The tool's name and version as written into plans, read once from package.json (one level above src/ and dist/).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const TOOL = `kernfleet ${pkg.version}`;
