// What kernfleet itself left on the host: the ledger of command-line parameters it added. Section
// `kernfleet`: the framed ledger file.
import type { HostProfile } from '../model/index.js';
import { findFile, requireSection, toFileEntry, type ProbeSections } from './sections.js';
import { fileCommand, sectionLine } from './shell.js';

export const LEDGER_PATH = '/var/lib/kernfleet/ledger.json';

export function buildLedgerProbe(): string {
  return `${sectionLine('kernfleet')}
${fileCommand(LEDGER_PATH, LEDGER_PATH, true)}`;
}

export function parseLedgerSection(sections: ProbeSections): HostProfile['kernfleet'] {
  const file = findFile(requireSection(sections, 'kernfleet'), LEDGER_PATH);
  return { ledger: file && file.content !== null ? toFileEntry('kernfleet', file) : null };
}
