/**
 * Schema migrations, in code so the compiled CLI carries them: one file per migration under
 * `migrations/`, listed here in order. Each runs once; the SQL is portable between SQLite and
 * PostgreSQL (Kysely's schema builder). A context adding tables adds a file and a line here.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { migration0001 } from './migrations/0001-sensors-and-operator-alerts.js';
import { migration0002 } from './migrations/0002-intel-sharing.js';
import { migration0003 } from './migrations/0003-member-alerts.js';
import { migration0004 } from './migrations/0004-leases.js';
import { migration0005 } from './migrations/0005-declassifications.js';
import { migration0006 } from './migrations/0006-relayed-sensor-owner.js';
import { migration0007 } from './migrations/0007-sensor-blocks.js';
import { migration0008 } from './migrations/0008-alert-order.js';
import { migration0009 } from './migrations/0009-scanners.js';
import { migration0010 } from './migrations/0010-backscatter-statistics.js';
import { migration0011 } from './migrations/0011-stix-objects.js';
import { migration0012 } from './migrations/0012-provider-sightings.js';
import { migration0013 } from './migrations/0013-taxii-collections.js';
import { migration0014 } from './migrations/0014-anonymizer.js';
import { migration0015 } from './migrations/0015-report-triage.js';
import { migration0016 } from './migrations/0016-recorder-heads.js';
import { migration0017 } from './migrations/0017-alert-endpoint-preferences.js';
import { migration0018 } from './migrations/0018-site-evidence.js';
import { migration0019 } from './migrations/0019-federation-operations.js';
import { migration0020 } from './migrations/0020-intake-correlation-queue.js';
import { migration0021 } from './migrations/0021-user-advisory-mail.js';
import { migration0022 } from './migrations/0022-stix-object-values.js';

const migrations: Record<string, Migration> = {
  '0001-sensors-and-operator-alerts': migration0001,
  '0002-intel-sharing': migration0002,
  '0003-member-alerts': migration0003,
  '0004-leases': migration0004,
  '0005-declassifications': migration0005,
  '0006-relayed-sensor-owner': migration0006,
  '0007-sensor-blocks': migration0007,
  '0008-alert-order': migration0008,
  '0009-scanners': migration0009,
  '0010-backscatter-statistics': migration0010,
  '0011-stix-objects': migration0011,
  '0012-provider-sightings': migration0012,
  '0013-taxii-collections': migration0013,
  '0014-anonymizer': migration0014,
  '0015-report-triage': migration0015,
  '0016-recorder-heads': migration0016,
  '0017-alert-endpoint-preferences': migration0017,
  '0018-site-evidence': migration0018,
  '0019-federation-operations': migration0019,
  '0020-intake-correlation-queue': migration0020,
  '0021-user-advisory-mail': migration0021,
  '0022-stix-object-values': migration0022,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
