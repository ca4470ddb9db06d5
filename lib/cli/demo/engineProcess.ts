// Child entry of the demo (forked by runDemo): the embedded engine in its own process. Sends
// {type:'ready', url}; answers {type:'stats'} with the engine's stats; stops on {type:'stop'} or when the
// orchestrator goes away.
import type { EmbeddedEngine } from '../../engine/EmbeddedEngine';
import { startEngine } from '../../engine/startEngine';
import { childRuntime } from './childRuntime';

let engine: EmbeddedEngine | undefined;
let stopping = false;
const runtime = childRuntime(async () => {
  stopping = true;
  await engine?.close();
});
runtime.on('stats', () => {
  if (engine) runtime.send({ type: 'stats', stats: engine.stats() });
});
startEngine({ port: 0, host: '127.0.0.1' }).then(
  async (started) => {
    engine = started;
    if (stopping) await started.close();
    else runtime.send({ type: 'ready', url: started.url });
  },
  (err: Error) => {
    runtime.send({ type: 'failed', message: `the engine did not start: ${err.message}` });
    process.exitCode = 1;
    void runtime.stop();
  },
);
