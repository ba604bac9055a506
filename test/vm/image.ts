// The cached Debian 12 image: built (once) by build-image.sh, described by the image.json it leaves
// beside the disk.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** A built image directory and what the build recorded about it. */
export interface VmImage {
  /** The cache entry (…/debian12-<hash of build-image.sh>). */
  dir: string;
  /** Raw disk: MBR with GRUB, one ext4 partition; read-only for the suite, overlays sit on top. */
  diskPath: string;
  /** Private key whose public half is root's authorized key in the guest. */
  keyPath: string;
  /** The guest's SSH host key (one `type base64 comment` line), for a strict known_hosts. */
  hostKeyPath: string;
  /** Release of the kernel installed in the image, e.g. 6.1.0-35-amd64. */
  kernel: string;
  /** The image's own GRUB_CMDLINE_LINUX, word by word (serial console, no_timer_check): what kernfleet finds and keeps. */
  cmdline: string[];
  /** Debian mirror the image was bootstrapped from (the machine's own apt mirror). */
  mirror: string;
  /** Wall-clock seconds the build took (recorded when it ran, not when it was reused). */
  buildSeconds: number;
}

const buildScript = fileURLToPath(new URL('./build-image.sh', import.meta.url));

/** Builds the image when the cache has none for the current build script, then describes it. */
export async function loadVmImage(): Promise<VmImage> {
  const dir = await runBuildScript();
  const meta = JSON.parse(await readFile(join(dir, 'image.json'), 'utf8')) as { kernel: string; cmdline: string; mirror: string; buildSeconds: number };
  return {
    dir,
    diskPath: join(dir, 'disk.raw'),
    keyPath: join(dir, 'id_ed25519'),
    hostKeyPath: join(dir, 'ssh_host_ed25519_key.pub'),
    kernel: meta.kernel,
    cmdline: meta.cmdline.split(' '),
    mirror: meta.mirror,
    buildSeconds: meta.buildSeconds,
  };
}

function runBuildScript(): Promise<string> {
  return new Promise((resolve, reject) => {
    // Progress goes straight to our stderr: a first build takes minutes and should not look hung.
    const child = spawn('bash', [buildScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const dir = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && dir !== '') resolve(dir);
      else reject(new Error(`build-image.sh exited with ${code}: see its messages above`));
    });
  });
}
