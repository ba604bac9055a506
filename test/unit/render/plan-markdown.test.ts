import { describe, expect, it } from 'vitest';
import { MARKDOWN_LIMIT, renderPlanMarkdown } from '../../../src/render/index.js';
import { aHostPlan, aPlan, aStep, aSwappinessHost, anErrorHost, hostNames } from '../../fixtures/render/builders.js';
import { aHostWithEverything } from '../../fixtures/render/plans.js';

/** A host whose one step rewrites a file unique to it, so no two such hosts group. */
function aHostWithBigFile(name: string, lines: number, width = 20) {
  const line = (kind: string, index: number) => `${name} ${kind} line ${index} `.padEnd(width, '#');
  const before = Array.from({ length: lines }, (_, index) => line('old', index)).join('\n') + '\n';
  const after = Array.from({ length: lines }, (_, index) => line('new', index)).join('\n') + '\n';
  return aSwappinessHost(name, { steps: [aStep({ files: [{ path: `/etc/kernfleet/${name}.conf`, before, after }] })] });
}

describe('renderPlanMarkdown', () => {
  it('opens with a title, the summary line and a table row per host group', () => {
    // 40 uniform hosts, one host with everything, one unreachable host.
    const plan = aPlan([...hostNames('hv', 40).map((name) => aSwappinessHost(name)), aHostWithEverything('hv41'), anErrorHost('hv42')]);
    const markdown = renderPlanMarkdown(plan);
    expect(markdown.startsWith('## kernfleet plan\n')).toBe(true);
    expect(markdown).toContain('**Plan: 42 hosts — 41 to change (44 steps: 42 low, 1 medium, 1 high), 1 error; 1 needs a reboot; 1 change cannot be done**');
    expect(markdown).toContain('| hosts | status | low | medium | high | blocked | reboot |');
    expect(markdown).toContain('| hv01, hv02, hv03, hv04, hv05, hv06, hv07, hv08 and 32 more (40) | to change | 1 | 0 | 0 | 0 | no |');
    expect(markdown).toContain('| hv41 | to change | 2 | 1 | 1 | 1 | yes |');
    expect(markdown).toContain('| hv42 | error | 0 | 0 | 0 | 0 | no |');
  });

  it('puts each group in a details section with its steps as a list and file diffs in diff fences', () => {
    // One host whose plan edits GRUB and needs a manual kernel rebuild.
    const markdown = renderPlanMarkdown(aPlan([aHostWithEverything('hv01')]));
    expect(markdown).toContain('<details><summary><b>hv01</b>: to change — 4 steps: 2 low, 1 medium, 1 high;');
    expect(markdown).toContain('2. **MEDIUM** Add iommu=pt to GRUB_CMDLINE_LINUX `file:/etc/default/grub` — reboot required');
    expect(markdown).toContain('   - `iommu (absent) → pt  (playbooks/debvisor.yml:20)`');
    expect(markdown).toContain('     ```diff\n     --- /etc/default/grub\n     +++ /etc/default/grub\n     @@ -8,7 +8,7 @@');
    expect(markdown).toContain('**manual: never run automatically**');
    expect(markdown).toContain('- `nvidia unloaded → loaded  (playbooks/gpu.yml:3)`: no module nvidia for 6.1.0-18-amd64');
    expect(markdown.match(/<details>/g)).toHaveLength(markdown.match(/<\/details>/g)?.length ?? -1);
  });

  it('escapes what would break the markup and uses a longer fence when a file holds backticks', () => {
    // A file whose unchanged first line is ``` (a context line that could close the fence) and a title with a <tag>.
    const step = aStep({ title: 'Write <motd>', files: [{ path: '/etc/motd', before: '```\nhello\n', after: '```\nworld\n' }] });
    const markdown = renderPlanMarkdown(aPlan([aSwappinessHost('hv01', { steps: [step] })]));
    expect(markdown).toContain('Write &lt;motd&gt;');
    expect(markdown).toContain('````diff');
    expect(markdown).toContain('\n      ```\n     -hello');
  });

  it('stays under 65,000 characters for 300 distinct hosts and says what was cut and where the rest is', () => {
    // 300 hosts, each rewriting a different 100-line file: the full details would be far over the limit.
    const plan = aPlan(hostNames('hv', 300).map((name) => aHostWithBigFile(name, 100)));
    const markdown = renderPlanMarkdown(plan);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown).toContain('| hv01 | to change |');
    expect(markdown).toContain('<details><summary><b>hv01</b>');
    expect(markdown).toMatch(/cut to keep this comment under 65,000 characters; `kernfleet plan --format json` has the full plan/);
  });

  it('drops the diffs of a group whose full details alone would not fit, keeping its steps', () => {
    // One host rewrites a 400-line file of 200-character lines.
    const markdown = renderPlanMarkdown(aPlan([aHostWithBigFile('hv01', 400, 200)]));
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown).toContain('1. **LOW** Set vm.swappiness live');
    expect(markdown).not.toContain('```diff');
    expect(markdown).toContain('_1 file diff cut to keep this comment under 65,000 characters; `kernfleet plan --format json` has the full plan._');
  });

  it('spends the room left after a cut on the diffs of the groups that fit', () => {
    // A host with an 80 KB rewrite comes first; a host with a one-line file change comes after it.
    const small = aSwappinessHost('hv02', { steps: [aStep({ files: [{ path: '/etc/small.conf', before: 'a = 1\n', after: 'a = 2\n' }] })] });
    const markdown = renderPlanMarkdown(aPlan([aHostWithBigFile('hv01', 400, 200), small]));
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown).not.toContain('+++ /etc/kernfleet/hv01.conf');
    expect(markdown).toContain('```diff\n     --- /etc/small.conf\n     +++ /etc/small.conf\n     @@ -1,1 +1,1 @@\n     -a = 1\n     +a = 2');
  });

  it('names the groups left out entirely when even short notes do not fit', () => {
    // 60 distinct hosts under a 4,000-character limit.
    const markdown = renderPlanMarkdown(aPlan(hostNames('hv', 60).map((name) => aHostWithBigFile(name, 20))), { limit: 4000 });
    expect(markdown.length).toBeLessThanOrEqual(4000);
    expect(markdown).toMatch(/_\d+ more host groups \(\d+ hosts: hv\d+, .* and \d+ more\) cut to keep this comment under 4,000 characters/);
  });

  it('shows an unreachable host as a heading without an empty section', () => {
    // hv07 refused the SSH connection; there is nothing to unfold.
    const markdown = renderPlanMarkdown(aPlan([anErrorHost('hv07'), aHostPlan('hv08', { satisfied: 3 })]));
    expect(markdown).toContain('\n<b>hv07</b>: error — ssh: connection refused (ssh-unreachable)\n');
    expect(markdown).toContain('<details><summary><b>hv08</b>: converged</summary>\n\n3 items already hold.\n\n</details>');
  });
});
