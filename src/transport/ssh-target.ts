// Where and as whom to connect, resolved like OpenSSH from ~/.ssh/config, with inventory values
// (ansible_host/port/user/key) winning as they do in Ansible. Pure given the config text.
import SSHConfig from 'ssh-config';

export interface SshTarget {
  /** The name asked for (ansible_host or the inventory name, or a ProxyJump hop). */
  alias: string;
  /** Where to connect (HostName, or the alias). */
  hostName: string;
  port: number;
  user: string;
  /** Private key files to try, in order: inventory key, IdentityFile entries, else the default keys. */
  identityFiles: string[];
  /** IdentitiesOnly yes: do not offer agent keys. */
  identitiesOnly: boolean;
  /** IdentityAgent (SSH_AUTH_SOCK when null); 'none' disables the agent. */
  identityAgent: string | null;
  /** UserKnownHostsFile entries, tokens expanded ([] = the default ~/.ssh/known_hosts). */
  knownHostsFiles: string[];
  /** HashKnownHosts yes: write accepted keys hashed. */
  hashKnownHosts: boolean;
  /** HostKeyAlias: the name looked up in known_hosts instead of hostName. */
  hostKeyAlias: string | null;
  /** ProxyJump hops to pass through, outermost first. */
  jumps: SshTarget[];
  /** Options we saw but do not implement (e.g. ProxyCommand); the caller decides whether that is fatal. */
  unsupported: string[];
}

export interface SshTargetRequest {
  alias: string;
  port: number | null;
  user: string | null;
  identityFile: string | null;
}

/** The controller's side of token expansion. */
export interface SshEnvironment {
  home: string;
  localUser: string;
  localHostName: string;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const MAX_JUMP_DEPTH = 8;

/**
 * A parsed config and, when it is safe, an index of its `Host` sections by the plain names they list: a
 * config generated for a fleet has a section per host, and matching each host against every section
 * cost 3 ms and 0.6 MB of garbage per host at 1000 hosts. Only the sections a host could match are
 * handed to the matcher, in file order; it still decides.
 */
export interface ParsedSshConfig {
  config: SSHConfig;
  index: { shared: Array<[number, SshConfigLine]>; byName: Map<string, Array<[number, SshConfigLine]>> } | null;
}

type SshConfigLine = SSHConfig[number];

export function parseSshConfig(text: string): ParsedSshConfig {
  const config = SSHConfig.parse(text);
  return { config, index: indexHostSections(config) };
}

const PLAIN_PATTERN = /^[^*?!,]+$/;

function indexHostSections(config: SSHConfig): ParsedSshConfig['index'] {
  const shared: Array<[number, SshConfigLine]> = [];
  const byName = new Map<string, Array<[number, SshConfigLine]>>();
  for (const [position, line] of config.entries()) {
    if (line.type !== SSHConfig.DIRECTIVE) continue;
    const param = line.param.toLowerCase();
    // Match blocks and canonicalisation match again on other names (HostName, the final pass): no index.
    if (param === 'match' || param === 'canonicalizehostname') return null;
    const inner = 'config' in line ? line.config : [];
    if (inner.some((l) => l.type === SSHConfig.DIRECTIVE && l.param.toLowerCase() === 'canonicalizehostname')) return null;
    const patterns = param !== 'host' ? null : Array.isArray(line.value) ? line.value.map((v) => v.val) : String(line.value).split(/\s+/);
    if (patterns === null || !patterns.every((p) => PLAIN_PATTERN.test(p))) {
      shared.push([position, line]);
      continue;
    }
    for (const name of new Set(patterns)) {
      const list = byName.get(name) ?? [];
      list.push([position, line]);
      byName.set(name, list);
    }
  }
  return { shared, byName };
}

/** The lines a host named `alias` can match, as a config of their own. */
function configFor(parsed: ParsedSshConfig, alias: string): SSHConfig {
  if (parsed.index === null) return parsed.config;
  const own = parsed.index.byName.get(alias) ?? [];
  const lines = own.length === 0 ? parsed.index.shared : [...parsed.index.shared, ...own].sort((a, b) => a[0] - b[0]);
  const subset = new SSHConfig();
  for (const [, line] of lines) subset.push(line);
  return subset;
}

/** `config`: the config's text, or what parseSshConfig made of it (a fleet resolves many hosts against one file). */
export function resolveSshTarget(request: SshTargetRequest, config: string | ParsedSshConfig, env: SshEnvironment): SshTarget {
  return resolveWithDepth(request, typeof config === 'string' ? parseSshConfig(config) : config, env, 0, true);
}

function resolveWithDepth(
  request: SshTargetRequest,
  config: ParsedSshConfig,
  env: SshEnvironment,
  depth: number,
  followJumps: boolean,
): SshTarget {
  if (depth > MAX_JUMP_DEPTH) throw new Error(`ProxyJump chain deeper than ${MAX_JUMP_DEPTH} hops at ${request.alias}`);
  // matchExec off: resolving a target must never run commands from the config.
  const computed = configFor(config, request.alias).compute(
    request.user !== null ? { Host: request.alias, User: request.user } : { Host: request.alias },
    { ignoreCase: true, matchExec: false },
  );
  const first = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const all = (key: string): string[] => {
    const value = computed[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };

  const port = request.port ?? parsePort(first('port'), request.alias);
  const user = request.user ?? first('user') ?? env.localUser;
  const hostName = expandTokens(first('hostname') ?? request.alias, { ...env, alias: request.alias, host: request.alias, user, port });
  const tokens = { ...env, alias: request.alias, host: hostName, user, port };
  const expandPath = (path: string): string => expandHome(expandTokens(path, tokens), env.home);

  const configured = all('identityfile').filter((f) => f.toLowerCase() !== 'none').map(expandPath);
  const fromInventory = request.identityFile !== null ? [expandHome(request.identityFile, env.home)] : [];
  // OpenSSH adds its default keys only when nothing names a key.
  const identityFiles =
    fromInventory.length + configured.length > 0
      ? [...new Set([...fromInventory, ...configured])]
      : DEFAULT_KEYS.map((k) => `${env.home}/.ssh/${k}`);

  const agent = first('identityagent');
  const unsupported: string[] = [];
  if (first('proxycommand') !== undefined) unsupported.push('ProxyCommand');
  const proxyJump = first('proxyjump');
  const jumps =
    followJumps && proxyJump !== undefined && proxyJump.toLowerCase() !== 'none'
      ? resolveJumps(proxyJump, config, env, depth)
      : [];

  return {
    alias: request.alias,
    hostName,
    port,
    user,
    identityFiles,
    identitiesOnly: isYes(first('identitiesonly')),
    identityAgent: agent === undefined ? null : agent === 'SSH_AUTH_SOCK' ? null : expandPath(agent),
    knownHostsFiles: all('userknownhostsfile').filter((f) => f.toLowerCase() !== 'none').map(expandPath),
    hashKnownHosts: isYes(first('hashknownhosts')),
    hostKeyAlias: first('hostkeyalias') ?? null,
    jumps,
    unsupported,
  };
}

/** `[user@]host[:port][,...]`: the first hop follows its own ProxyJump; later hops are reached through the earlier ones. */
function resolveJumps(value: string, config: ParsedSshConfig, env: SshEnvironment, depth: number): SshTarget[] {
  const hops: SshTarget[] = [];
  value.split(',').forEach((spec, index) => {
    const hop = resolveWithDepth(parseJumpSpec(spec.trim()), config, env, depth + 1, index === 0);
    hops.push(...hop.jumps, { ...hop, jumps: [] });
  });
  return hops;
}

export function parseJumpSpec(spec: string): SshTargetRequest {
  const withoutScheme = spec.replace(/^ssh:\/\//, '');
  const at = withoutScheme.lastIndexOf('@');
  const user = at >= 0 ? withoutScheme.slice(0, at) : null;
  const hostPort = at >= 0 ? withoutScheme.slice(at + 1) : withoutScheme;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(hostPort);
  const match = bracketed ?? plain;
  if (match === null || match[1] === undefined) throw new Error(`cannot parse ProxyJump hop "${spec}"`);
  return { alias: match[1], port: match[2] !== undefined ? Number(match[2]) : null, user: user || null, identityFile: null };
}

function parsePort(value: string | undefined, alias: string): number {
  if (value === undefined) return 22;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`ssh config: bad Port "${value}" for ${alias}`);
  return port;
}

function isYes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true)$/i.test(value);
}

interface TokenValues extends SshEnvironment {
  alias: string;
  host: string;
  user: string;
  port: number;
}

/** ssh_config(5) TOKENS that make sense without a connection. */
function expandTokens(text: string, t: TokenValues): string {
  const values: Record<string, string> = {
    '%': '%',
    d: t.home,
    h: t.host,
    n: t.alias,
    p: String(t.port),
    r: t.user,
    u: t.localUser,
    l: t.localHostName,
    L: t.localHostName.split('.')[0] ?? t.localHostName,
  };
  return text.replace(/%(.)/g, (whole, token: string) => values[token] ?? whole);
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  return path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}
