/* Generated from schemas/profile.schema.json by scripts/gen-types.mjs: edit the schema, then npm run gen:types. */

/**
 * This interface was referenced by `HostProfile`'s JSON-Schema
 * via the `definition` "NullableString".
 */
export type NullableString = string | null;

/**
 * What a host's kernel state is, as gathered by one probe. Raw facts only: what they mean (precedence, effective values) is computed by pure code from them.
 */
export interface HostProfile {
  /**
   * major.minor of this document's shape.
   */
  format_version: string;
  /**
   * Inventory name of the host.
   */
  host: string;
  /**
   * sha256 over every source the probe read; a saved plan is stale when it changes.
   */
  fingerprint: string;
  /**
   * ISO 8601 time the probe ran (set by the gatherer, never by pure code).
   */
  gatheredAt: string;
  os: {
    /**
     * ID= of /etc/os-release (debian, ubuntu, rhel, alpine, ...).
     */
    id: string;
    /**
     * Distro family from ID and ID_LIKE; decides commands and paths.
     */
    family: 'debian' | 'rhel' | 'arch' | 'alpine' | 'suse' | 'unknown';
    /**
     * VERSION_ID= of /etc/os-release.
     */
    version: string;
    /**
     * PRETTY_NAME= of /etc/os-release.
     */
    prettyName: string;
  };
  env: {
    /**
     * Running in a container: kernel operations are skipped.
     */
    container: boolean;
    /**
     * docker, podman, lxc, ... when known.
     */
    containerKind: string | null;
    /**
     * WSL2: the kernel belongs to Windows; command line lives in .wslconfig.
     */
    wsl: boolean;
    /**
     * The login user.
     */
    user: string;
    /**
     * The login user is uid 0.
     */
    root: boolean;
    /**
     * How privileged commands can run: already root, sudo -n works, sudo needs a password, or not at all.
     */
    sudo: 'root' | 'nopasswd' | 'password' | 'none';
  };
  kernel: {
    /**
     * uname -r.
     */
    release: string;
    /**
     * Where the config came from (/boot/config-R or /proc/config.gz); null when no config is readable (state unknown, never guessed).
     */
    configSource: string | null;
    /**
     * The asked CONFIG_ symbols: 'y', 'm', 'n' (`# CONFIG_X is not set`), a literal value (quotes removed), or null when the line is missing (absent: the symbol does not exist or its dependencies are unmet). Empty when configSource is null.
     */
    config: {
      [k: string]: NullableString;
    };
    /**
     * The kernel can load modules (CONFIG_MODULES=y and /proc/modules exists).
     */
    modulesSupported: boolean;
  };
  modules: {
    /**
     * Names in /proc/modules (normalised: - → _).
     */
    loaded: string[];
    /**
     * Asked modules listed in modules.builtin (built in: nothing to load).
     */
    builtin: string[];
    /**
     * Asked module → resolvable for this kernel (modules.dep, aliases or built in).
     */
    available: {
      [k: string]: boolean;
    };
    /**
     * 'module.param' → live value from /sys/module/M/parameters/P, null when absent (module not loaded or no such parameter).
     */
    params: {
      [k: string]: NullableString;
    };
    /**
     * 'module.param' → the sysfs parameter file is writable (can be set live).
     */
    paramsWritable: {
      [k: string]: boolean;
    };
    /**
     * Every modules-load.d layer (/etc, /run, /usr/local/lib, /usr/lib, /lib) and /etc/modules.
     */
    loadFiles: FileEntry[];
    /**
     * Every modprobe.d layer (/etc, /run, /usr/local/lib, /usr/lib, /lib).
     */
    modprobeFiles: FileEntry[];
    /**
     * Asked modules that the initramfs configuration includes (initramfs-tools modules, dracut add_drivers, mkinitfs features).
     */
    initramfs: string[];
    /**
     * Lines of `dkms status`, empty without DKMS.
     */
    dkms: string[];
  };
  sysctl: {
    /**
     * Asked key → value read from /proc/sys, null when the key does not exist on this kernel (yet).
     */
    live: {
      [k: string]: NullableString;
    };
    /**
     * Every sysctl.d layer (/etc, /run, /usr/local/lib, /usr/lib, /lib) and /etc/sysctl.conf.
     */
    files: FileEntry[];
  };
  boot: {
    /**
     * How the next boot's command line is decided.
     */
    loader: 'grub' | 'grub-bls' | 'systemd-boot' | 'extlinux' | 'none';
    /**
     * /proc/cmdline: the command line the running kernel booted with.
     */
    procCmdline: string;
    /**
     * /proc/sys/kernel/random/boot_id: changes at every boot.
     */
    bootId: string;
    /**
     * /etc/default/grub, /etc/default/grub.d/*.cfg, /etc/kernel/cmdline, /etc/update-extlinux.conf, ...
     */
    files: FileEntry[];
    /**
     * Command lines the generated boot configuration will boot (grub.cfg `linux` lines, BLS `options`, extlinux APPEND), first = default entry.
     */
    nextBootCmdlines: string[];
  };
  hardware: {
    /**
     * From /proc/cpuinfo vendor_id.
     */
    cpuVendor: 'intel' | 'amd' | 'other';
    /**
     * Entries of /sys/kernel/iommu_groups (0: IOMMU off).
     */
    iommuGroups: number;
    /**
     * Nodes under /sys/devices/system/node.
     */
    numaNodes: number;
  };
  /**
   * What kernfleet itself left on the host.
   */
  kernfleet: {
    /**
     * /var/lib/kernfleet/ledger.json: command-line parameters kernfleet added, last apply.
     */
    ledger: FileEntry | null;
  };
}
/**
 * A file read on the host, whole.
 *
 * This interface was referenced by `HostProfile`'s JSON-Schema
 * via the `definition` "FileEntry".
 */
export interface FileEntry {
  /**
   * Absolute path on the host.
   */
  path: string;
  /**
   * The file's text.
   */
  content: string;
  /**
   * Octal permission bits, e.g. 0644, when known.
   */
  mode?: string;
  /**
   * uid:gid, when known.
   */
  owner?: string;
}
