// Kernel config options and the kernel version. An unmet required option cannot be fixed at run time:
// its change is a kernel rebuild (high risk, never automatic); state is never guessed without a config.
import type { DesiredConfigOption, DesiredState, HostProfile } from '../model/index.js';
import { compareKernelVersions } from '../formats/kconfig.js';
import { buildChange, buildDiagnostic, emptyDomainDiff, type DomainDiff } from './change.js';

export function isConfigSatisfied(want: string, have: string | null): boolean {
  switch (want) {
    // Built in is always active, so it satisfies a wish for a module.
    case 'm':
    case 'ym':
      return have === 'y' || have === 'm';
    case 'n':
      return have === 'n' || have === null;
    default:
      return have === want;
  }
}

function describeHave(symbol: string, have: string | null, release: string): string {
  if (have === null) {
    return `${symbol} is missing from this kernel's config: the symbol does not exist in ${release} or its dependencies are unmet`;
  }
  if (have === 'n') return `${symbol} is not set in ${release}`;
  return `${symbol}=${have} in ${release}`;
}

function describeWant(want: string): string {
  return want === 'ym' ? 'y or m' : want;
}

function diffConfigOption(
  symbol: string,
  option: DesiredConfigOption,
  profile: HostProfile,
  result: DomainDiff,
): void {
  const { release } = profile.kernel;
  const have = profile.kernel.config[symbol] ?? null;
  if (isConfigSatisfied(option.want, have)) {
    result.satisfied += 1;
    return;
  }
  const why = `${describeHave(symbol, have, release)}; wanted ${describeWant(option.want)}`;
  if (option.level === 'recommended') {
    // Short on purpose: a host can miss dozens of recommended options, and each is one line of output.
    const state = have === null ? 'absent' : have === 'n' ? 'not set' : `=${have}`;
    result.diagnostics.push(
      buildDiagnostic('warning', 'kconfig-recommended-unmet', `recommended ${symbol} ${state}, wanted ${describeWant(option.want)}`, profile.host, option.source),
    );
    return;
  }
  result.changes.push(
    buildChange({
      area: 'kconfig',
      subject: symbol,
      action: 'rebuild-kernel',
      layer: 'running-kernel',
      from: have,
      to: option.want,
      restart: 'system',
      reason: `${why}: only a rebuilt kernel can change it`,
      rollback: `select the previous kernel (${release}) under "Advanced options" in the GRUB menu, then restore /boot/config-${release} from /boot/config-${release}.kernfleet-backup`,
      source: option.source,
    }),
  );
}

function diffKernelVersion(desired: DesiredState, profile: HostProfile, result: DomainDiff): void {
  const { release } = profile.kernel;
  const { minimum, recommended } = desired.kernel;
  if (minimum) {
    if (compareKernelVersions(release, minimum.value) < 0) {
      const reason = `kernel upgrade required: ${release} < ${minimum.value}`;
      result.changes.push(
        buildChange({
          area: 'kernel',
          subject: 'release',
          action: 'upgrade-kernel',
          layer: 'running-kernel',
          from: release,
          to: minimum.value,
          restart: 'system',
          reason,
          rollback: `keep ${release} installed and select it under "Advanced options" in the GRUB menu if the new kernel fails to boot`,
          blocked: `${reason}: install a newer kernel package, then reboot`,
          source: minimum.source,
        }),
      );
    } else {
      result.satisfied += 1;
    }
  }
  if (recommended) {
    if (compareKernelVersions(release, recommended.value) < 0) {
      result.diagnostics.push(
        buildDiagnostic(
          'warning',
          'kernel-below-recommended',
          `kernel ${release} is older than the recommended ${recommended.value}`,
          profile.host,
          recommended.source,
        ),
      );
    } else {
      result.satisfied += 1;
    }
  }
}

export function diffKconfig(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  diffKernelVersion(desired, profile, result);
  const options = Object.entries(desired.kernel.config);
  const { release, configSource } = profile.kernel;
  if (configSource === null) {
    // Never guessed: one warning for the host rather than one per option.
    if (options.length > 0) {
      result.diagnostics.push(
        buildDiagnostic('warning', 'kconfig-unknown', `kernel config not readable (no /boot/config-${release} or /proc/config.gz): the state of ${options.length} CONFIG_ options is unknown`, profile.host, options[0]![1].source),
      );
    }
    return result;
  }
  for (const [symbol, option] of options) diffConfigOption(symbol, option, profile, result);
  return result;
}
