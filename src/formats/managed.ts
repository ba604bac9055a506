// The header of every file kernfleet owns on a host: says who writes it, so people edit the playbook instead.
export function managedHeader(source: string): string {
  return `# Managed by kernfleet (${source}). Changes here are overwritten: edit the playbook instead.\n`;
}

export function isManaged(content: string | null | undefined): boolean {
  return content != null && content.startsWith('# Managed by kernfleet');
}
