import { defineConfig } from 'vitest/config';

// The benchmark's own pure parts (parsers of GNU time, nft and Ansible output; ratios, targets, table):
// `npx vitest run --config bench/vitest.config.ts`. The measurements themselves are `npm run bench`.
export default defineConfig({
  test: { include: ['bench/**/*.test.ts'], root: new URL('..', import.meta.url).pathname },
});
