// Child entry of the demo (forked by runDemo with the engine URL): the consumer worker serving
// demo::digest, demo::square and demo::ticks. Sends {type:'ready'} once its functions are reachable through
// the engine; answers {type:'progress'} with the bytes demo::digest has processed.
import { firstValueFrom } from 'rxjs';
import { connectWorker } from '../../worker/connectWorker';
import { childLogger } from './childLogger';
import { childRuntime } from './childRuntime';
import { DEMO_FUNCTIONS, registerDemoFunctions } from './registerDemoFunctions';

const worker = connectWorker(process.argv[2], { workerName: 'iii-rx-demo-consumer', logger: childLogger('consumer') });
let digested = 0;
const runtime = childRuntime(() => worker.close());
runtime.on('progress', () => runtime.send({ type: 'progress', bytes: digested }));
registerDemoFunctions(worker, { onDigestProgress: (bytes) => (digested = bytes) });
// the engine handles one connection's frames in order: once our own call comes back, the functions are in
firstValueFrom(worker.trigger<number>(DEMO_FUNCTIONS.square, { x: 3 })).then(
  (nine) => runtime.send(nine === 9 ? { type: 'ready' } : { type: 'failed', message: `demo::square(3) gave ${nine}` }),
  (err: Error) => runtime.send({ type: 'failed', message: `the consumer could not reach its own function: ${err.message}` }),
);
