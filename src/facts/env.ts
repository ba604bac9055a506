// Who the probe runs as and where: user, sudo ability, container and WSL evidence. Section `env`:
// `user U`, `uid N`, `sudo ok|missing|fail MSG`, `marker docker|podman`, `environ KIND`,
// `systemd-container KIND`, `detect-virt KIND`, `cgroup HINT`, `root-fs FSTYPE`, `wsl-interop`.
import type { HostProfile } from '../model/index.js';
import { lineValue, ProbeParseError, requireSection, type ProbeSection, type ProbeSections } from './sections.js';
import { sectionLine } from './shell.js';

// `sudo -n` never prompts: it either runs, or says a password is required, or refuses the user.
export function buildEnvProbe(): string {
  return `${sectionLine('env')}
kf_uid=$(id -u)
printf 'uid %s\\n' "$kf_uid"
printf 'user %s\\n' "$(id -un || echo "$kf_uid")"
if [ "$kf_uid" != 0 ]; then
  if ! command -v sudo >/dev/null; then echo 'sudo missing'
  elif kf_s=$(sudo -n true 2>&1 </dev/null); then echo 'sudo ok'
  else printf 'sudo fail %s\\n' "$(printf '%s\\n' "$kf_s" | sed -n 1p)"
  fi
fi
if [ -e /.dockerenv ]; then echo 'marker docker'; fi
if [ -e /run/.containerenv ]; then echo 'marker podman'; fi
kf_e=$(tr '\\000' '\\n' </proc/1/environ | sed -n 's/^container=//p' | sed -n 1p)
if [ -n "$kf_e" ]; then printf 'environ %s\\n' "$kf_e"; fi
if [ -r /run/systemd/container ]; then printf 'systemd-container %s\\n' "$(sed -n 1p /run/systemd/container)"; fi
if command -v systemd-detect-virt >/dev/null; then printf 'detect-virt %s\\n' "$(systemd-detect-virt -c)"; fi
kf_g=$(grep -Eo 'docker|lxc|kubepods|libpod|containerd' /proc/1/cgroup | sed -n 1p)
if [ -n "$kf_g" ]; then printf 'cgroup %s\\n' "$kf_g"; fi
if [ -r /proc/self/mountinfo ]; then printf 'root-fs %s\\n' "$(sed -n 's/^[0-9]* [0-9]* [^ ]* [^ ]* \\/ .* - \\([^ ]*\\) .*/\\1/p' /proc/self/mountinfo | tail -n 1)"; fi
if [ -e /proc/sys/fs/binfmt_misc/WSLInterop ]; then echo 'wsl-interop'; fi`;
}

export function parseEnvSection(sections: ProbeSections, kernelRelease: string): HostProfile['env'] {
  const env = requireSection(sections, 'env');
  const uid = lineValue(env, 'uid');
  if (uid === undefined || !/^\d+$/.test(uid)) throw new ProbeParseError('env', `uid is ${JSON.stringify(uid)}`);
  const root = uid === '0';
  const containerKind = detectContainer(env);
  return {
    container: containerKind !== null,
    containerKind,
    wsl: /microsoft/i.test(kernelRelease) || lineValue(env, 'wsl-interop') !== undefined,
    user: lineValue(env, 'user') || uid,
    root,
    sudo: root ? 'root' : sudoAbility(lineValue(env, 'sudo')),
  };
}

function sudoAbility(line: string | undefined): HostProfile['env']['sudo'] {
  if (line === 'ok') return 'nopasswd';
  if (line?.startsWith('fail ') && /password is required/i.test(line)) return 'password';
  return 'none';
}

// Marker files (/.dockerenv, /run/.containerenv, and systemd-detect-virt's docker/podman, which read
// them) survive when a container image becomes a VM's root file system (Firecracker, image converters),
// so they count only on the overlay root a container runtime mounts. WSL is its own case, not a container.
const MARKER_KINDS = ['docker', 'podman'];
const CONTAINER_ROOT_FS = ['overlay', 'aufs', 'fuse.fuse-overlayfs'];

/** The most specific evidence first: container= in pid 1, systemd's view, cgroups, then corroborated markers. */
export function detectContainer(env: ProbeSection): string | null {
  const value = (key: string) => lineValue(env, key)?.trim() || null;
  const rootFs = value('root-fs');
  const overlayRoot = rootFs === null || CONTAINER_ROOT_FS.includes(rootFs);
  const detected = value('detect-virt');
  const strong = [value('environ'), value('systemd-container'), detected !== null && !MARKER_KINDS.includes(detected) ? detected : null, value('cgroup')];
  const found = strong.find((kind) => kind !== null && kind !== 'none' && kind !== 'wsl');
  if (found) return found === 'kubepods' ? 'containerd' : found === 'libpod' ? 'podman' : found;
  const marker = value('marker') ?? (detected !== null && MARKER_KINDS.includes(detected) ? detected : null);
  return marker !== null && overlayRoot ? marker : null;
}
