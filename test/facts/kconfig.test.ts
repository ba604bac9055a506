import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILTER_AWK, configSymbolsFor, parseKernelSections } from '../../src/facts/kconfig.js';
import { emptyProbeRequest } from '../../src/facts/request.js';
import { probeSections } from './probe-text.js';

const debianConfig = fileURLToPath(new URL('../fixtures/facts/kconfig/debian-13-trixie-x86_64.config.gz', import.meta.url));
const asked = ['CONFIG_BRIDGE_NETFILTER', 'CONFIG_DEFAULT_HOSTNAME', 'CONFIG_HZ', 'CONFIG_KVM', 'CONFIG_KVM_INTEL', 'CONFIG_LOCALVERSION', 'CONFIG_MODULES', 'CONFIG_NOT_A_SYMBOL', 'CONFIG_VFIO_PCI', 'CONFIG_VFIO_PCI_VGA', 'CONFIG_LOCALVERSION_AUTO'];

function kernelSections(config: string[], source = '/boot/config-6.12.38+deb13-amd64', procModules = '1') {
  return probeSections({
    kernel: ['release 6.12.38+deb13-amd64', `proc-modules ${procModules}`, ...asked.map((s) => `ask ${s}`), `config-source ${source}`],
    kconfig: config,
  });
}

describe('the config filter', () => {
  it.each([['mawk'], ['busybox awk']])('picks exactly the asked lines of a Debian 13 config with %s', (awk) => {
    // The real Debian 13 config, decompressed as the probe does for /proc/config.gz, filtered by the probe's
    // awk program: mawk is Debian's awk, busybox's is Alpine's and the fleet's.
    const lines = execFileSync('sh', ['-c', `gzip -dc "$1" | ${awk} -v want="$2" "$3"`, 'sh', debianConfig, asked.join(' '), CONFIG_FILTER_AWK], { encoding: 'utf8' }).trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines).toContain('# CONFIG_LOCALVERSION_AUTO is not set');
    expect(lines.every((l) => /^(# )?CONFIG_/.test(l))).toBe(true);
    // The pattern is anchored: CONFIG_VFIO_PCI must not drag in CONFIG_VFIO_PCI_CORE or _INTX.
    expect(lines.filter((l) => l.startsWith('CONFIG_VFIO_PCI')).sort()).toEqual(['CONFIG_VFIO_PCI=m', 'CONFIG_VFIO_PCI_VGA=y']);
    const kernel = parseKernelSections(kernelSections(lines));
    expect(kernel.config).toEqual({
      CONFIG_BRIDGE_NETFILTER: 'm',
      CONFIG_DEFAULT_HOSTNAME: '(none)',
      CONFIG_HZ: '250',
      CONFIG_KVM: 'm',
      CONFIG_KVM_INTEL: 'm',
      CONFIG_LOCALVERSION: '',
      CONFIG_MODULES: 'y',
      CONFIG_NOT_A_SYMBOL: null,
      CONFIG_VFIO_PCI: 'm',
      CONFIG_VFIO_PCI_VGA: 'y',
      CONFIG_LOCALVERSION_AUTO: 'n',
    });
    expect(kernel.modulesSupported).toBe(true);
  });

  it.each([['mawk'], ['busybox awk']])('prints what an anchored grep -E prints, line for line, with %s', (awk) => {
    // Every 7th symbol of the real config, set or not set, plus look-alikes that must not match.
    const config = execFileSync('gzip', ['-dc', debianConfig], { encoding: 'utf8' });
    const symbols = [...config.matchAll(/^(?:# )?(CONFIG_[A-Za-z0-9_]+)(?:=| is not set$)/gm)].map((m) => m[1]!).filter((_, i) => i % 7 === 0);
    const want = [...symbols, 'CONFIG_NOT_A_SYMBOL', 'CONFIG_VFIO'].join(' ');
    const group = `(${want.split(' ').join('|')})`;
    const grep = execFileSync('grep', ['-E', `^${group}=|^# ${group} is not set$`], { input: config, encoding: 'utf8' });
    const filtered = execFileSync('sh', ['-c', `${awk} -v want="$1" "$2"`, 'sh', want, CONFIG_FILTER_AWK], { input: config, encoding: 'utf8' });
    expect(symbols.length).toBeGreaterThan(1000);
    expect(filtered).toBe(grep);
  });
});

describe('parseKernelSections', () => {
  it('keeps the config empty and trusts /proc/modules when no config is readable', () => {
    // A WSL-like host: no /boot/config, no /proc/config.gz, but /proc/modules exists.
    const kernel = parseKernelSections(kernelSections([], ''));
    expect(kernel).toEqual({ release: '6.12.38+deb13-amd64', configSource: null, config: {}, modulesSupported: true });
  });

  it('says modules are unsupported when CONFIG_MODULES is not set', () => {
    // A monolithic kernel: `# CONFIG_MODULES is not set`, no /proc/modules.
    const kernel = parseKernelSections(kernelSections(['# CONFIG_MODULES is not set'], '/proc/config.gz', '0'));
    expect(kernel.configSource).toBe('/proc/config.gz');
    expect(kernel.config['CONFIG_MODULES']).toBe('n');
    expect(kernel.config['CONFIG_KVM']).toBeNull();
    expect(kernel.modulesSupported).toBe(false);
  });

  it('rejects a stray line in the kconfig section', () => {
    // Output corrupted by something that is not a config line.
    expect(() => parseKernelSections(kernelSections(['oops']))).toThrow(/section kconfig/);
  });

  it('rejects a kernel section without a release', () => {
    // uname failed or the section was cut.
    expect(() => parseKernelSections(probeSections({ kernel: ['proc-modules 1', 'config-source '] }))).toThrow(/section kernel/);
  });
});

describe('configSymbolsFor', () => {
  it('always adds CONFIG_MODULES and refuses names that are not symbols', () => {
    // A request asking nothing, then one smuggling shell text in a symbol name.
    expect(configSymbolsFor(emptyProbeRequest())).toEqual(['CONFIG_MODULES']);
    expect(() => configSymbolsFor({ ...emptyProbeRequest(), configSymbols: ["CONFIG_X'; reboot; '"] })).toThrow(/not a CONFIG_ symbol/);
  });
});
