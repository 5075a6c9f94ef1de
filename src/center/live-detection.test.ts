/**
 * The center runs the detectors live over what sensors deliver: a hand-built backscatter attack
 * (one victim's SYN-ACKs reaching many monitored addresses, written for this test) posted through
 * the ingest API becomes one operator alert in GET /api/v1/alerts; a victim replying below the
 * alerting rate is listed at GET /api/v1/operator/backscatter instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ev } from '../../test/events.js';
import { waitFor } from '../../test/wait.js';
import { openRelational } from '../db/index.js';
import { encodeEvent } from '../wire/index.js';
import { rotateOperatorToken } from './operator-token.js';
import { type RunningCenter, startCenter } from './server.js';

const T0 = Date.UTC(2026, 10, 23, 9);
const VICTIM = '192.0.2.80';

describe('live detection in the center', () => {
  let running: RunningCenter;
  let sensorToken: string;
  let operator: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'koban-live-'));
    // Polls only when the test asks (detectEveryMs far beyond the test's duration); holds the
    // lease for an hour, so no warm-up or renewal, however slow, lets it lapse during the test.
    running = await startCenter({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      detectEveryMs: 3_600_000,
      detectLeaseMs: 3_600_000,
    });
    sensorToken = (await running.center.registry.add({ name: 'dn-test', addressBlocks: ['203.0.0.0/16'] }))
      .token;
    operator = rotateOperatorToken(dataDir);
  });
  afterAll(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (id: string, events: ReturnType<typeof ev>[]) => {
    const body = gzipSync(
      [
        JSON.stringify({ v: 1, batch_id: id, format: 'events' }),
        ...events.map((e) => JSON.stringify(encodeEvent(e, T0))),
      ].join('\n'),
    );
    const r = await fetch(`${running.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sensorToken}`, 'Content-Type': 'application/x-ndjson' },
      body,
    });
    expect(r.status).toBe(200);
  };

  it('turns a victim answering a spoofed SYN flood into one DDoS alert', async () => {
    expect(running.detection).not.toBeNull();
    // Ten minutes of ordinary probes (the stream the coverage learns), and in minutes 2–6 the
    // victim's SYN-ACKs from port 80 to 40 different monitored addresses a minute.
    const events: ReturnType<typeof ev>[] = [];
    for (let m = 0; m < 10; m++) {
      for (let i = 0; i < 20; i++) {
        events.push(
          ev({
            timeMs: T0 + m * 60_000 + i * 2_000,
            sensor: 'dn-test',
            kind: 'darknet',
            src: `198.51.100.${i + 1}`,
            dst: `203.0.${m}.${i + 1}`,
          }),
        );
      }
      if (m >= 2 && m < 7) {
        for (let i = 0; i < 40; i++) {
          events.push(
            ev({
              timeMs: T0 + m * 60_000 + i * 1_000,
              sensor: 'dn-test',
              kind: 'darknet',
              src: VICTIM,
              srcPort: 80,
              dst: `203.0.${(m * 40 + i) % 256}.${(i * 7) % 250}`,
              dstPort: 1024 + i,
              tcpFlags: 0x12,
              srcCountry: 'US',
              srcAsn: 64500,
            }),
          );
        }
      }
    }
    await post('live-1', events);
    await running.detection!.poll();
    const stats = running.detection!.stats();
    expect(stats.minutesFed).toBeGreaterThan(5);

    const r = await fetch(`${running.url}/api/v1/alerts`, {
      headers: { Authorization: `Bearer ${operator}` },
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      alerts: { kind: string; title: string; first: string; episode: string }[];
    };
    const ddos = body.alerts.filter((a) => a.kind === 'backscatter');
    expect(ddos).toHaveLength(1);
    expect(ddos[0]!.title).toContain(VICTIM);
    // The same document as `koban alerts --json` and the notifications.
    expect(ddos[0]!.first).toMatch(/^2026-11-23T09:0\d:\d\d\.\d{3}Z$/);
    expect(['ongoing', 'ended']).toContain(ddos[0]!.episode);

    // Polling again with nothing new raises nothing more.
    await running.detection!.poll();
    const again = (await (
      await fetch(`${running.url}/api/v1/alerts`, { headers: { Authorization: `Bearer ${operator}` } })
    ).json()) as { alerts: { kind: string }[] };
    expect(again.alerts.filter((a) => a.kind === 'backscatter')).toHaveLength(1);

    // /metrics shows how far detection has run and what it holds.
    const metrics = await (
      await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${operator}` } })
    ).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('koban_detect_watermark_timestamp_seconds')).toBe(stats.watermarkMs! / 1000);
    expect(value('koban_detect_minutes_fed')).toBe(stats.minutesFed);
    expect(value('koban_detect_findings')).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^koban_detect_state_entities\{detector="backscatter"\} 1$/m);
  });

  it('lists a victim below the alerting rate at GET /api/v1/operator/backscatter instead of alerting', async () => {
    // Twenty minutes later: probes as before, and in minutes 22–26 another victim's SYN-ACKs to 8
    // monitored addresses a minute — 8 / 60 × 2³² / 65,536 ≈ 8,738 replies/s, below the default
    // 10,000 (detection.backscatter.minVictimRatePps).
    const LOW = '192.0.2.99';
    const events: ReturnType<typeof ev>[] = [];
    for (let m = 20; m < 30; m++) {
      for (let i = 0; i < 20; i++)
        events.push(
          ev({
            timeMs: T0 + m * 60_000 + i * 2_000,
            sensor: 'dn-test',
            kind: 'darknet',
            src: `198.51.100.${i + 1}`,
            dst: `203.0.${m}.${i + 1}`,
          }),
        );
      if (m >= 22 && m < 27)
        for (let i = 0; i < 8; i++)
          events.push(
            ev({
              timeMs: T0 + m * 60_000 + i * 5_000,
              sensor: 'dn-test',
              kind: 'darknet',
              src: LOW,
              srcPort: 443,
              dst: `203.0.${100 + m}.${i * 30 + 1}`,
              dstPort: 2048 + i,
              tcpFlags: 0x12,
            }),
          );
    }
    await post('live-2', events);
    await running.detection!.poll();
    const alerts = (await (
      await fetch(`${running.url}/api/v1/alerts`, { headers: { Authorization: `Bearer ${operator}` } })
    ).json()) as { alerts: { title: string }[] };
    expect(alerts.alerts.filter((a) => a.title.includes(LOW))).toEqual([]);
    const r = await fetch(`${running.url}/api/v1/operator/backscatter`, {
      headers: { Authorization: `Bearer ${operator}` },
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { victims: Record<string, unknown>[]; total: number };
    expect(body.total).toBe(1);
    // As the detector last reported it: its first minute (it updates a statistic every few minutes).
    expect(body.victims[0]).toEqual({
      victim: LOW,
      attack_type: 'syn-flood',
      ports: ['443/tcp'],
      first: '2026-11-23T09:22:00.000Z',
      last: '2026-11-23T09:22:35.000Z',
      packets: 8,
      addresses_hit: 8,
      estimated_rate_pps: 8740,
      title: 'DDoS on 192.0.2.99 (syn-flood, 443/tcp): ≥ 8,700 replies/s',
    });
  });
});

describe('the live-detection lease', () => {
  it('runs the detectors only on the node holding the lease, and takes over when it is free', async () => {
    // The lease is renewed by an interval timer: a fake one, so each renewal happens when the test
    // lets a third of the term pass, once. The term is an hour of the (real) clock, so a renewal
    // or a warm-up slowed by a busy machine cannot outlast it.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const TERM = 3_600_000;
    const renewal = () => vi.advanceTimersByTimeAsync(TERM / 3);
    const dataDir = mkdtempSync(join(tmpdir(), 'koban-lease-'));
    // Another node holds the lease (a row in the shared relational store).
    const other = await openRelational(dataDir);
    const farFuture = Date.now() + 3_600_000;
    await other
      .insertInto('leases')
      .values({ name: 'live-detection', holder: 'node-b', expires_ms: farFuture, acquired_ms: Date.now() })
      .execute();
    const running = await startCenter({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      detectEveryMs: 24 * 3_600_000,
      detectLeaseMs: TERM,
    });
    const operator = rotateOperatorToken(dataDir);
    const held = async () => {
      const r = await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${operator}` } });
      return Number(/^koban_detect_lease_held (\S+)$/m.exec(await r.text())?.[1]);
    };
    try {
      expect(running.detection).toBeNull();
      expect(await held()).toBe(0);
      // node-b stops renewing: its term runs out and this node takes over at its next renewal.
      await other
        .updateTable('leases')
        .set({ expires_ms: Date.now() - 1 })
        .execute();
      await renewal();
      await waitFor(() => running.detection !== null, 'this node to take the free lease');
      expect(await held()).toBe(1);
      // node-b takes it back (say this node was partitioned and its term ran out): detection stops.
      await other
        .updateTable('leases')
        .set({ holder: 'node-b', expires_ms: Date.now() + 3_600_000 })
        .execute();
      await renewal();
      await waitFor(() => running.detection === null, 'this node to see the lease taken back');
      expect(await held()).toBe(0);
      // Free again: taken over again; released when the node stops.
      await other
        .updateTable('leases')
        .set({ expires_ms: Date.now() - 1 })
        .execute();
      await renewal();
      await waitFor(() => running.detection !== null, 'this node to take the lease again');
    } finally {
      await running.stop();
    }
    expect(await other.selectFrom('leases').selectAll().execute()).toEqual([]);
    await other.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
