import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { TickBatcher } from '../../lib/socket/TickBatcher';

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('TickBatcher', () => {
  let server: Server;
  let client: Socket;
  let received: Buffer[];
  let peer: Socket;

  beforeEach(async () => {
    received = [];
    server = createServer((s) => {
      peer = s;
      s.on('data', (d) => received.push(d));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new Socket();
    await new Promise<void>((resolve) => client.connect((server.address() as AddressInfo).port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => {
      const wait = () => (peer ? resolve() : setImmediate(wait));
      wait();
    });
  });

  afterEach(async () => {
    client.destroy();
    peer?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const bytesReceived = async (n: number) => {
    while (Buffer.concat(received).length < n) await new Promise((r) => setImmediate(r));
    return Buffer.concat(received).toString();
  };

  it('holds the writes of one tick in the socket and releases them all at the end of the tick, in order', async () => {
    const batch = new TickBatcher(client);
    batch.hold();
    client.write('a');
    batch.hold(); // a second hold in the same tick adds no second cork
    client.write('b');
    expect(client.writableCorked).toBe(1);
    expect(client.writableLength).toBe(2); // still counted as the socket's unsent bytes
    await nextTick();
    expect(client.writableCorked).toBe(0);
    expect(await bytesReceived(2)).toBe('ab');
  });

  it('corks again in a later tick', async () => {
    const batch = new TickBatcher(client);
    batch.hold();
    client.write('1');
    await nextTick();
    batch.hold();
    client.write('2');
    expect(client.writableCorked).toBe(1);
    await nextTick();
    expect(client.writableCorked).toBe(0);
    expect(await bytesReceived(2)).toBe('12');
  });

  it('writes a batch as soon as it holds maxHeldBytes, and holds what follows again', async () => {
    const batch = new TickBatcher(client, 8);
    batch.hold();
    client.write('12345678');
    expect(client.writableLength).toBe(8);
    batch.hold(); // the batch is full: it leaves now
    expect(client.writableCorked).toBe(1);
    expect(client.writableLength).toBe(0);
    client.write('9');
    expect(client.writableLength).toBe(1);
    await nextTick();
    expect(client.writableCorked).toBe(0);
    expect(await bytesReceived(9)).toBe('123456789');
  });

  it('flush() releases at once, and the end of the tick then leaves the socket alone', async () => {
    const batch = new TickBatcher(client);
    batch.hold();
    client.write('x');
    batch.flush();
    expect(client.writableCorked).toBe(0);
    client.cork(); // someone else's cork is not undone by the pending end-of-tick release
    await nextTick();
    expect(client.writableCorked).toBe(1);
    client.uncork();
    expect(await bytesReceived(1)).toBe('x');
  });
});
