// Module names: the kernel treats - and _ alike (vfio-pci = vfio_pci); we always store the _ form.
export function normaliseModule(name: string): string {
  return name.replace(/-/g, '_');
}
