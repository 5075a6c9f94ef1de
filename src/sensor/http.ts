/**
 * One POST of a gzip'd NDJSON batch to a center's ingest endpoint, over HTTP or HTTPS (with an
 * extra trusted CA for self-signed centers), with a timeout. Used by the agent's shipper and by
 * replay.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostResult {
  readonly status: number;
  /** Seconds from a Retry-After header, when present. */
  readonly retryAfterS: number | null;
  readonly body: string;
}

export interface IngestClient {
  post(body: Buffer, headers?: Record<string, string>): Promise<PostResult>;
  close(): void;
}

export function ingestClient(
  center: string,
  token: string,
  options: { ca?: Buffer | undefined; parallel?: number; timeoutMs?: number } = {},
): IngestClient {
  const url = new URL('/api/v1/ingest', center);
  const https = url.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: options.parallel ?? 2, ca: options.ca })
    : new HttpAgent({ keepAlive: true, maxSockets: options.parallel ?? 2 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    post(body, headers = {}) {
      const req = https ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const r = req(
          url,
          {
            method: 'POST',
            agent,
            timeout: timeoutMs,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/x-ndjson',
              'Content-Encoding': 'gzip',
              'Content-Length': body.length,
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const ra = Number(res.headers['retry-after']);
              resolve({
                status: res.statusCode ?? 0,
                retryAfterS:
                  res.headers['retry-after'] !== undefined && Number.isFinite(ra) && ra >= 0 ? ra : null,
                body: Buffer.concat(chunks).toString('utf8'),
              });
            });
            res.on('error', reject);
          },
        );
        r.on('timeout', () => r.destroy(new Error(`no answer from the center within ${timeoutMs} ms`)));
        r.on('error', reject);
        r.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
