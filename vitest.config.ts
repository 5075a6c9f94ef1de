import { defineConfig } from 'vitest/config';

/**
 * The relational suites, run a second time on PostgreSQL (test/relational.ts): the intel services
 * and their API (the world builders take the dialect from the project), operator alerts, leases and
 * the detection lease across centers. E-mail parsing touches no store and runs once.
 */
const RELATIONAL_SUITES = [
  'src/intel/**/*.test.ts',
  'src/web/intel/**/*.test.ts',
  'src/db/lease.test.ts',
  'src/db/migrations.test.ts',
  'src/db/dialects/postgres/**/*.test.ts',
  'src/detect/alerts.test.ts',
  'src/detect/sensor-silence.test.ts',
  'src/detect/leased.test.ts',
  'src/web/shared-lease.test.ts',
  'src/observe/sensor-registry.test.ts',
];
const NOT_RELATIONAL = ['src/intel/email/**'];
const pg = process.env.KOBAN_TEST_PG?.trim();

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          env: { KOBAN_TEST_DIALECT: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          // Without a server every test of this project is reported skipped, and says why.
          name: pg ? 'postgresql' : 'postgresql (skipped: KOBAN_TEST_PG is not set)',
          include: RELATIONAL_SUITES,
          exclude: NOT_RELATIONAL,
          env: { KOBAN_TEST_DIALECT: 'postgres' },
          ...(pg ? {} : { testNamePattern: /^\b$/ }),
        },
      },
    ],
  },
});
