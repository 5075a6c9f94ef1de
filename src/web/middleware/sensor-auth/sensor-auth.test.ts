import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { SensorRecord } from '../../../observe/index.js';
import { errorHandler } from '../../errors.js';
import { sensorAuth } from './index.js';

const SENSOR = { id: 7, name: 'fw-tokyo' } as SensorRecord;

function app() {
  const seen: string[] = [];
  const a = new Hono();
  a.onError(errorHandler({ error: () => undefined }));
  a.use(
    sensorAuth({
      async authenticate(token) {
        seen.push(token);
        return token === 'kbs_good' ? SENSOR : null;
      },
    }),
  );
  a.post('/', (c) => c.json({ sensor: c.var.sensor.name }));
  return { app: a, seen };
}

describe('sensor bearer authentication', () => {
  it('hands the handler the sensor of a valid token', async () => {
    const { app: a, seen } = app();
    const r = await a.request('/', { method: 'POST', headers: { Authorization: 'Bearer kbs_good' } });
    expect(await r.json()).toEqual({ sensor: 'fw-tokyo' });
    expect(seen).toEqual(['kbs_good']);
  });

  it('refuses a missing, unknown or malformed token with 401 E_AUTH, before the handler', async () => {
    const { app: a, seen } = app();
    const cases: [Record<string, string>, string][] = [
      [{}, 'missing bearer token'],
      [{ Authorization: 'Bearer ' }, 'missing bearer token'],
      [{ Authorization: 'Basic a2JzX2dvb2Q=' }, 'missing bearer token'],
      [{ Authorization: 'Bearer kbs_revoked' }, 'invalid or revoked sensor token'],
    ];
    for (const [headers, message] of cases) {
      const r = await a.request('/', { method: 'POST', headers });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: { code: 'E_AUTH', message } });
    }
    expect(seen).toEqual(['kbs_revoked']);
  });
});
