// Reads a copied real-world file from test/fixtures/formats (named after its distro and kernel).
import { readFileSync } from 'node:fs';

export function readFixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url), 'utf8');
}
