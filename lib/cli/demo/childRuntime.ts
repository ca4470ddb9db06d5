import type { DemoMessage } from './DemoChild';

/**
 * The child side of the demo's IPC: send messages to the orchestrator, react to its requests, and stop cleanly
 * on `{type:'stop'}` or when the orchestrator goes away. Ctrl-C is left to the orchestrator, which stops every
 * child in order.
 */
export function childRuntime(onStop: () => Promise<void>) {
  const handlers = new Map<string, (m: DemoMessage) => void>();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= onStop()
      .catch((err) => {
        console.error(err);
        process.exitCode = 1;
      })
      .finally(() => {
        if (process.connected) process.disconnect();
        // a last resort if something still holds the event loop: does not itself keep the process alive
        setTimeout(() => process.exit(), 3000).unref();
      });
    return stopping;
  };
  process.on('SIGINT', () => undefined);
  process.on('message', (m: DemoMessage) => {
    if (m.type === 'stop') void stop();
    else if (m.type === 'rss') send({ type: 'rss', maxRssBytes: process.resourceUsage().maxRSS * 1024 });
    else handlers.get(m.type)?.(m);
  });
  process.on('disconnect', () => void stop());
  function send(m: DemoMessage): void {
    if (process.connected) process.send?.(m);
  }
  return {
    send,
    on(type: string, fn: (m: DemoMessage) => void) {
      handlers.set(type, fn);
    },
    stop,
  };
}
