// Child entry of the demo (forked by runDemo with the engine URL): the consumer worker serving
// demo::digest, demo::square and demo::ticks. Sends {type:'ready'} once its functions are reachable through
// the engine; answers {type:'progress'} with the bytes demo::digest has processed.
import { connectWorker } from '../../worker/connectWorker';
import { announceReady } from './announceReady';
import { childLogger } from './childLogger';
import { childRuntime } from './childRuntime';
import { registerDemoFunctions } from './registerDemoFunctions';

const worker = connectWorker(process.argv[2], { workerName: 'iii-rx-demo-consumer', logger: childLogger('consumer') });
let digested = 0;
const runtime = childRuntime(() => worker.close());
runtime.on('progress', () => runtime.send({ type: 'progress', bytes: digested }));
registerDemoFunctions(worker, { onDigestProgress: (bytes) => (digested = bytes) });
announceReady(worker, runtime, 'consumer');
