import { request } from 'node:http';

/** What {@link httpCall} resolves with. */
export interface HttpCallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** `JSON.parse(text)`, or undefined when it is not JSON. */
  json: any;
}

/**
 * One HTTP request without keep-alive (nothing left open), with raw header pairs so a header can repeat.
 */
export function httpCall(
  url: string,
  options: { method?: string; headers?: Array<[string, string]>; body?: string | Buffer } = {},
): Promise<HttpCallResult> {
  return new Promise((resolve, reject) => {
    // a raw header list replaces Node's defaults, Host included
    const raw: string[] = ['Host', new URL(url).host];
    for (const [k, v] of options.headers ?? []) raw.push(k, v);
    const req = request(url, { method: options.method ?? 'GET', headers: raw, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `check` until it returns something other than undefined/false (at most `ms`). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
