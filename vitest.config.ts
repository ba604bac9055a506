import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, fixtures, the manifest loader; fast) and `fleet` (real sshd on
// loopback serving simulated hosts; needs root, openssh-server and busybox-static).
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/facts/**/*.test.ts', 'test/manifest/**/*.test.ts', 'test/scenarios/**/*.test.ts', 'bench/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'fleet',
          include: ['test/fleet/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
