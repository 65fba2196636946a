import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Vitest's 5 s default is a timing assertion in disguise: on a loaded 2-core machine a few
          // tests that build 20 MB inputs or run the CLI in-process take longer. None is about speed.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // These start processes and servers; one file at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
