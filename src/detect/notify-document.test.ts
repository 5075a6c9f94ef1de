/**
 * The alert document (`GET /api/v1/alerts` with the operator token, webhooks, `koban alerts
 * --json`) carries times as ISO 8601 only: the stored evidence's `detected_ms` (kept for the
 * evaluation) stays out. Hand-made alert, no real data.
 */
import { describe, expect, it } from 'vitest';
import type { OperatorAlert } from './alerts.js';
import { alertDocument } from './notify.js';

const T0 = Date.UTC(2025, 0, 6, 9);

describe('the alert document', () => {
  it('gives ISO 8601 times and no epoch milliseconds', () => {
    const alert: OperatorAlert = {
      id: 7,
      kind: 'scan',
      dedupKey: 'scan:192.0.2.9',
      severity: 'medium',
      title: 'Horizontal scan from 192.0.2.9',
      status: 'open',
      firstMs: T0,
      lastMs: T0 + 60_000,
      updatedMs: T0 + 60_000,
      evidence: {
        detector: 'scan',
        detected: '2025-01-06T09:00:30.000Z',
        detected_ms: T0 + 30_000,
        ports: 3,
      },
      ackedBy: null,
      ackedMs: null,
      closedBy: null,
      closedMs: null,
    };
    const doc = alertDocument(alert);
    expect(doc.first).toBe('2025-01-06T09:00:00.000Z');
    expect(doc.evidence).toEqual({ detector: 'scan', detected: '2025-01-06T09:00:30.000Z', ports: 3 });
    expect(alert.evidence.detected_ms).toBe(T0 + 30_000);
  });
});
