import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { decodeInbound } from '../../lib/connection/decodeInbound';
import { FrameFuzzer, randomUUIDFrom } from './support/frameFuzzer';
import { Prng, fuzzSeed } from './support/Prng';

const SEED = fuzzSeed();
const FRAMES = Number(process.env.FUZZ_CLIENT_FRAMES ?? (process.env.III_RX_LOAD === '1' ? 20_000 : 2000));

/**
 * The client against a hostile peer: a plain `ws` server posing as the engine throws seeded fuzz frames at
 * an iii-rx worker. (Not a mock of the engine's behaviour: it is the attacker.) The worker must log every
 * frame it cannot decode, never reconnect or crash because of one, and keep serving and calling.
 */
describe(`iii-rx worker against a hostile engine (FUZZ_SEED=${SEED})`, () => {
  let server: WebSocketServer;
  let worker: Worker;
  const connections: WebSocket[] = [];
  let channelSockets = 0;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (ws, req) => {
      // refs inside fuzzed payloads may make the worker open channel sockets here too: only `/` is the worker socket
      if (req.url !== '/') {
        channelSockets++;
        return;
      }
      connections.push(ws);
      ws.send(JSON.stringify({ type: 'workerregistered', worker_id: randomUUID(), reattach_token: randomUUID() }));
    });
  });

  afterAll(async () => {
    await worker?.close();
    for (const ws of server.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('logs every undecodable frame, stays connected, and keeps working', async () => {
    const rng = new Prng(SEED ^ 0xc11e47);
    const warnings: string[] = [];
    const errors: Array<[string, unknown]> = [];
    const states: string[] = [];
    const port = (server.address() as AddressInfo).port;
    worker = connectWorker(`ws://127.0.0.1:${port}`, {
      logger: { warn: (m) => warnings.push(m), error: (m, d) => errors.push([m, d]) },
      reconnect: { initialDelayMs: 1, maxDelayMs: 5 },
    });
    worker.state$.subscribe((s) => states.push(s));
    worker.registerFunction('hostile::echo', (x: unknown) => x);
    while (connections.length === 0 || worker.state !== 'open') await new Promise((r) => setTimeout(r, 5));
    const engineSide = connections[0];
    const replies: Array<Record<string, unknown>> = [];
    engineSide.on('message', (data) => {
      try {
        replies.push(JSON.parse(data.toString()));
      } catch {
        replies.push({ unparsable: true });
      }
    });

    const fuzzer = new FrameFuzzer(rng, ['hostile::echo', 'hostile::missing'], 64 * 1024, 3000);
    let undecodable = 0;
    let authFrames = 0;
    for (let i = 0; i < FRAMES; i++) {
      const m = fuzzer.next();
      const r = decodeInbound(typeof m.data === 'string' ? m.data : new Uint8Array(m.data));
      if (!r.ok && r.code !== 'EMPTY') undecodable++;
      // an AUTH_ERROR frame is the engine's refusal: leave it out, it is tested on its own (auth.spec)
      if (r.ok && r.frame.type === 'error') {
        authFrames++;
        continue;
      }
      await new Promise<void>((resolve, reject) => engineSide.send(m.data, { binary: m.binary }, (err) => (err ? reject(err) : resolve())));
    }
    // a real call from the worker, answered properly by the "engine", still resolves
    const call = firstValueFrom(worker.trigger('peer::fn', { q: 1 }, { timeoutMs: 10_000 }));
    let invoke: Record<string, unknown> | undefined;
    while (!(invoke = replies.find((f) => f.type === 'invokefunction' && f.function_id === 'peer::fn'))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    engineSide.send(JSON.stringify({ type: 'invocationresult', invocation_id: invoke.invocation_id, function_id: 'peer::fn', result: 'fine' }));
    await expect(call).resolves.toBe('fine');
    // and it still serves: a well-formed call gets its echo
    const id = randomUUIDFrom(rng);
    engineSide.send(JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: 'hostile::echo', data: [1, 'two'] }));
    while (!replies.some((f) => f.invocation_id === id)) await new Promise((r) => setTimeout(r, 5));
    expect(replies.find((f) => f.invocation_id === id)).toMatchObject({ type: 'invocationresult', result: [1, 'two'] });

    process.stdout.write(`fuzz client: ${JSON.stringify({ seed: SEED, frames: FRAMES, undecodable, authFramesLeftOut: authFrames, replies: replies.length, channelSockets })}\n`);
    expect(warnings.filter((w) => w.startsWith('dropped an inbound frame')).length).toBe(undecodable);
    expect(connections).toHaveLength(1);
    expect(states).not.toContain('reconnecting');
    expect(worker.state).toBe('open');
    // every reply the worker sent was well-formed JSON with an id when it answered a call
    expect(replies.filter((f) => f.unparsable)).toEqual([]);
    // trigger registrations for types it does not provide are answered, not errors; nothing else may fail
    expect(errors.filter(([m]) => !/trigger registration .* failed/.test(m))).toEqual([]);
  });
});
