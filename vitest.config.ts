import { defineConfig } from 'vitest/config';

/**
 * The relational suites, run a second time on PostgreSQL (test/relational.ts), as Kysely runs its
 * tests per dialect: the intel services and their HTTP API, STIX in and out (feeds/) (their world builders take the dialect
 * from the project), operator alerts, the scanner list and backscatter statistics, the sensor
 * registry, leases, migrations, the PostgreSQL dialect itself and two centers sharing the
 * detection lease. A new test of one of these folders
 * that opens its store through a world builder runs on both dialects without further ado.
 */
const RELATIONAL_SUITES = [
  'src/intel/**/*.test.ts',
  'src/web/intel/**/*.test.ts',
  'src/feeds/**/*.test.ts',
  'src/web/operator-alerts-route.test.ts',
  'src/web/audit-metrics.test.ts',
  'src/db/**/*.test.ts',
  'src/detect/alerts.test.ts',
  'src/detect/scanners.test.ts',
  'src/web/operator-scanners-route.test.ts',
  'src/detect/backscatter-statistics.test.ts',
  'src/web/operator-backscatter-route.test.ts',
  'src/detect/sensor-silence.test.ts',
  'src/observe/sensor-registry.test.ts',
  'src/observe/monitored-space.test.ts',
  'src/center/shared-lease.test.ts',
  'src/anon/**/*.test.ts',
  'src/web/anonymizer-route.test.ts',
  'src/web/recorder-route.test.ts',
];
/** Of those, the ones that touch no store (e-mail parsing, pure functions) or only a SQLite file. */
const NOT_RELATIONAL = [
  'src/intel/email/**',
  'src/intel/parse-pool.test.ts',
  'src/intel/indicators/{canonical,fuzzy,warning-list}.test.ts',
  'src/intel/member-alerts/{config,label-rules,render,scrub}.test.ts',
  'src/db/relational-url.test.ts',
  'src/feeds/stix/patterns.test.ts',
  'src/db/dialects/postgres/unreachable.test.ts',
  'src/db/dialects/sqlite/**',
  'src/anon/lists/**',
];
/** Suites about PostgreSQL alone (a server's faults, centers sharing one): nothing to run on SQLite. */
const POSTGRES_ONLY = ['src/db/dialects/postgres/postgres-*.test.ts', 'src/center/shared-lease.test.ts'];

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
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: POSTGRES_ONLY,
          env: { KOBAN_TEST_DIALECT: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          // Without a server every test of this project is reported skipped — never passed — and
          // the project's name says why. (A `-t` given on the command line replaces this pattern:
          // add `--project sqlite` then.)
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
