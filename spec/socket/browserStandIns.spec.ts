import { defaultSocketFactory } from '../../lib/socket/defaultSocketFactory.browser';
import { openNodeSocket, wrapNodeSocket } from '../../lib/socket/openNodeSocket.browser';
import { openBrowserSocket } from '../../lib/socket/openBrowserSocket';
import { SocketError } from '../../lib/errors/SocketError';

// The browser bundle swaps these modules in for their Node namesakes (scripts/build-esm.mjs).
describe('browser stand-ins of the socket defaults', () => {
  it('makes the DOM WebSocket adapter the default factory', () => {
    expect(defaultSocketFactory).toBe(openBrowserSocket);
  });

  it('refuses openNodeSocket and wrapNodeSocket with a SocketError that hides the access key', () => {
    let thrown: unknown;
    try {
      openNodeSocket('ws://127.0.0.1:1/ws/channels/c?key=secret&dir=read');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SocketError);
    expect((thrown as SocketError).code).toBe('SOCKET_ERROR');
    expect((thrown as Error).message).toMatch(/openBrowserSocket/);
    expect((thrown as Error).message).not.toContain('secret');
    expect(() => wrapNodeSocket({})).toThrow(SocketError);
  });
});
