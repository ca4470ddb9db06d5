import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';
import { openWorker, RawClient, waitFor } from './support/RawClient';

interface Ref {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

/** A masked client frame written by hand (FIN set unless `fin` is false). */
function clientFrame(opcode: number, payload: Buffer, options: { fin?: boolean; masked?: boolean } = {}): Buffer {
  const masked = options.masked ?? true;
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  head[0] = (options.fin === false ? 0 : 0x80) | opcode;
  head[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? n : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(n, 2);
  if (lengthBytes === 8) head.writeUInt32BE(n, 6);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  mask.copy(head, head.length - 4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
  return Buffer.concat([head, body]);
}

describe('channel writer frames read by the engine itself (readWriterFrames)', () => {
  let engine: EmbeddedEngine;
  let control: RawClient;
  const opened: RawClient[] = [];

  const channel = async (): Promise<{ writer: Ref; reader: Ref }> => {
    const id = randomUUID();
    await control.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: {} });
    return (await control.next((f) => f.invocation_id === id)).result;
  };
  const open = async (ref: Ref) => {
    const c = await RawClient.open(`${engine.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`);
    opened.push(c);
    return c;
  };
  const rawSocket = (c: RawClient) => (c.ws as unknown as { _socket: Socket })._socket;

  beforeAll(async () => {
    engine = await startEngine({ port: 0, channelRelayFrameBytes: 1024 * 1024 });
    control = (await openWorker(engine.url)).client;
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close(true).catch(() => undefined);
  });

  afterAll(async () => {
    await control.close(true);
    await engine.close();
  });

  it('delivers binary frames split anywhere across TCP writes, fragmented messages and text in order', async () => {
    const { writer, reader } = await channel();
    const r = await open(reader);
    const w = await open(writer);
    const socket = rawSocket(w);
    const bytes = Buffer.concat([
      clientFrame(0x2, Buffer.from([1, 2, 3])),
      clientFrame(0x1, Buffer.from('héllo')),
      clientFrame(0x2, Buffer.from([4, 5]), { fin: false }),
      clientFrame(0x9, Buffer.from('ping in between')),
      clientFrame(0x0, Buffer.from([6]), { fin: true }),
      clientFrame(0x2, Buffer.alloc(70_000, 9)),
      clientFrame(0x2, Buffer.alloc(0)),
    ]);
    // in pieces of 7 bytes: headers and payloads cut at every possible place
    for (let i = 0; i < bytes.length; i += 7) socket.write(bytes.subarray(i, i + 7));
    await waitFor(() => r.messages.length === 5);
    expect(r.messages.map((m) => (m.binary ? [...m.data.subarray(0, 3)].join(',') + `/${m.data.length}` : m.data.toString()))).toEqual([
      '1,2,3/3',
      'héllo',
      '4,5,6/3',
      '9,9,9/70000',
      '/0',
    ]);
    expect(r.messages.map((m) => m.binary)).toEqual([true, false, true, true, true]);
  });

  it.each([
    ['an unmasked frame', 1002, clientFrame(0x2, Buffer.from([1]), { masked: false })],
    ['invalid UTF-8 in a text frame', 1007, clientFrame(0x1, Buffer.from([0xc3, 0x28]))],
    ['a reserved opcode', 1002, clientFrame(0x3, Buffer.from([1]))],
  ])('answers %s as the WebSocket library does (close %d)', async (_name, code, frame) => {
    const { writer, reader } = await channel();
    await open(reader);
    const w = await open(writer);
    rawSocket(w).write(frame);
    expect((await w.closed).code).toBe(code);
  });

  it('echoes a Close with its code after the frames before it', async () => {
    const { writer, reader } = await channel();
    const r = await open(reader);
    const w = await open(writer);
    const close = Buffer.alloc(2);
    close.writeUInt16BE(1000, 0);
    rawSocket(w).write(Buffer.concat([clientFrame(0x2, Buffer.alloc(2 * 1024 * 1024, 1)), clientFrame(0x8, close)]));
    expect((await w.closed).code).toBe(1000);
    expect((await r.closed).code).toBe(1005);
    expect(r.messages.map((m) => m.data.length)).toEqual([2 * 1024 * 1024]);
  });
});
