/**
 * Sensor bearer authentication: `Authorization: Bearer <sensor token>` (from `koban sensor add`),
 * checked against the sensor registry (which keeps only the token's hash and compares it in
 * constant time). A missing, unknown or revoked token is E_AUTH (401); the sensor is put in
 * `c.var.sensor` for the handler.
 */
import type { MiddlewareHandler } from 'hono';
import { KobanError, parseBearer } from '../../../core/index.js';
import type { SensorRecord } from '../../../observe/index.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `sensorAuth`: the sensor whose token the request carries. */
    sensor: SensorRecord;
  }
}

/** What the middleware needs of the sensor registry. */
export interface SensorAuthenticator {
  authenticate(token: string): Promise<SensorRecord | null>;
}

export function sensorAuth(sensors: SensorAuthenticator): MiddlewareHandler {
  return async (c, next) => {
    const token = parseBearer(c.req.header('Authorization'));
    if (token === null) throw new KobanError('E_AUTH', 'missing bearer token');
    const sensor = await sensors.authenticate(token);
    if (!sensor) throw new KobanError('E_AUTH', 'invalid or revoked sensor token');
    c.set('sensor', sensor);
    await next();
  };
}
