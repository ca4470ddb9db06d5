#!/usr/bin/env bash
# CI: what a user gets from npm. Packs this checkout (after `npm run build`), then installs the tarball from
# the registry's point of view into three fresh projects in a temporary directory (@types/node only for the
# apps' own Node code, see below):
#   cjs      plain CommonJS JavaScript (require), run with node
#   esm-ts   TypeScript ES modules: strict, skipLibCheck false, node16 resolution; compiled with tsc, run with node
#   angular  TypeScript with @angular/core: strict, skipLibCheck false; provideIiiRx in a zoneless injector,
#            a call as a resource, and a server-platform injector that must open no socket; compiled and run
# Each program starts the embedded engine (iii-rx/engine) on a free port and checks its own results.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/iii-rx-consumers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
ts_version="$(node -p "require('$root/node_modules/typescript/package.json').version")"
ng_version="$(node -p "require('$root/node_modules/@angular/core/package.json').version")"
rxjs_version="$(node -p "require('$root/node_modules/rxjs/package.json').version")"

tarball="$(cd "$root" && npm pack --silent --ignore-scripts --pack-destination "$work" | tail -1)"
echo "packed $tarball"
install() { (cd "$1" && npm install --no-audit --no-fund --loglevel=error "$work/$tarball" "${@:2}"); }

# --- CommonJS ---------------------------------------------------------------------------------------------
mkdir -p "$work/cjs" && cd "$work/cjs"
echo '{ "name": "consumer-cjs", "private": true, "type": "commonjs" }' > package.json
install . "rxjs@$rxjs_version"
cat > main.js <<'EOF'
const { firstValueFrom } = require('rxjs');
const { connectWorker, VERSION } = require('iii-rx');
const { startEngine } = require('iii-rx/engine');
(async () => {
  const engine = await startEngine({ port: 0, host: '127.0.0.1' });
  const worker = connectWorker(engine.url, { workerName: 'cjs' });
  worker.registerFunction('math::add', ({ a, b }) => a + b);
  const sum = await firstValueFrom(worker.trigger('math::add', { a: 2, b: 3 }));
  await worker.close();
  await engine.close();
  if (sum !== 5) throw new Error(`expected 5, got ${sum}`);
  console.log(`cjs: iii-rx ${VERSION}, math::add = ${sum}`);
})().catch((err) => { console.error(err); process.exit(1); });
EOF
node main.js

# --- ES modules + TypeScript (strict, skipLibCheck false) --------------------------------------------------
mkdir -p "$work/esm-ts" && cd "$work/esm-ts"
echo '{ "name": "consumer-esm-ts", "private": true, "type": "module" }' > package.json
# (@types/node: for this app's own Node code — console, process; iii-rx's declarations, the engine entry's
# included, need no @types, as spec/types checks)
install . "rxjs@$rxjs_version" "typescript@$ts_version" "@types/node@20"
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "strict": true, "skipLibCheck": false, "module": "node16", "moduleResolution": "node16",
    "target": "ES2022", "lib": ["ES2022", "DOM"], "types": ["node"], "outDir": "out"
  },
  "include": ["main.ts"]
}
EOF
cat > main.ts <<'EOF'
import * as t from 'io-ts';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { connectWorker, createChannel, InvocationError } from 'iii-rx';
import { startEngine } from 'iii-rx/engine';

const engine = await startEngine({ port: 0, host: '127.0.0.1' });
const worker = connectWorker(engine.url, { workerName: 'esm-ts' });
worker.registerFunction('math::add', (input) => input.a + input.b, {
  input: t.type({ a: t.number, b: t.number }),
  output: t.number,
});
const sum: number = await firstValueFrom(worker.trigger<number>('math::add', { a: 2, b: 3 }));
const failed = await firstValueFrom(worker.trigger('math::add', { a: 'x' })).catch((err: unknown) => err);
const { reader, writer } = await firstValueFrom(createChannel(worker));
const [items] = await Promise.all([lastValueFrom(reader.pipe(toArray())), lastValueFrom(writer.write(['a', 'b']))]);
await worker.close();
await engine.close();
if (sum !== 5 || !(failed instanceof InvocationError) || items.join() !== 'a,b') {
  throw new Error(`unexpected: ${sum} ${String(failed)} ${items.join()}`);
}
console.log(`esm-ts: math::add = ${sum}, bad input -> ${failed.code}, channel -> ${items.join('')}`);
EOF
npx tsc -p .
node out/main.js

# --- Angular (strict, skipLibCheck false) -------------------------------------------------------------------
mkdir -p "$work/angular" && cd "$work/angular"
echo '{ "name": "consumer-angular", "private": true, "type": "module" }' > package.json
install . "rxjs@$rxjs_version" "typescript@$ts_version" "@angular/core@$ng_version" "@types/node@20"
cp ../esm-ts/tsconfig.json .
cat > main.ts <<'EOF'
import {
  createEnvironmentInjector, EnvironmentInjector, Injector, PLATFORM_ID, provideZonelessChangeDetection,
  runInInjectionContext,
} from '@angular/core';
import { firstValueFrom, filter } from 'rxjs';
import { connectWorker } from 'iii-rx';
import type { SocketFactory } from 'iii-rx';
import { IiiRxService, provideIiiRx } from 'iii-rx/angular';
import { startEngine } from 'iii-rx/engine';

const engine = await startEngine({ port: 0, host: '127.0.0.1' });
const backend = connectWorker(engine.url, { workerName: 'backend' });
backend.registerFunction('math::add', (input: { a: number; b: number }) => input.a + input.b);
await firstValueFrom(backend.state$.pipe(filter((s) => s === 'open')));
const root = Injector.create({ providers: [] }) as EnvironmentInjector;

// a browser-like app, zoneless: state signal and a call as a resource
const app = createEnvironmentInjector(
  [provideZonelessChangeDetection(), provideIiiRx({ url: engine.url, worker: { workerName: 'angular' } })],
  root,
);
const iii = app.get(IiiRxService);
const sum = runInInjectionContext(app, () => iii.triggerResource<number>('math::add', { a: 2, b: 3 }));
while (sum.status() === 'loading') await new Promise((resolve) => setTimeout(resolve, 10));
const state = iii.state();
app.destroy();
await iii.close();

// a server render: no socket at all
let sockets = 0;
const counting: SocketFactory = () => {
  sockets++;
  throw new Error('a server render must not open sockets');
};
const server = createEnvironmentInjector(
  [{ provide: PLATFORM_ID, useValue: 'server' }, provideIiiRx({ url: engine.url, worker: { socketFactory: counting } })],
  root,
);
const ssr = server.get(IiiRxService);
server.destroy();
await ssr.close();
await backend.close();
await engine.close();
if (sum.value() !== 5 || state !== 'open' || sockets !== 0 || ssr.state() !== 'closed') {
  throw new Error(`unexpected: ${sum.status()} ${sum.value()} ${state} ${sockets} ${ssr.state()}`);
}
console.log(`angular: state ${state}, math::add resource = ${sum.value()}, server render opened ${sockets} sockets`);
EOF
npx tsc -p .
node out/main.js
echo "consumer projects: ok"
