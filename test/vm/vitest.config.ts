import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The real-kernel suite: boots Debian 12 under qemu (TCG) over SSH. Slow by nature: a first run builds
// the cached image (~4 min), each boot or reboot takes 1-3 min, so files run one after another with long
// timeouts (a test with a reboot sets its own 20 min).
// Run: npx vitest run --config test/vm/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'vm',
    include: ['test/vm/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
  },
});
