import * as t from 'io-ts';
import { firstValueFrom, lastValueFrom, of, toArray } from 'rxjs';
import { registerWorker, InvocationError as SdkInvocationError } from 'iii-sdk';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import { Worker } from '../../lib/worker/Worker';
import { FunctionContext } from '../../lib/worker/FunctionContext';
import { TriggerBinding } from '../../lib/worker/TriggerTypeHandler';
import { InvocationError } from '../../lib/errors/InvocationError';
import { IiiRxError } from '../../lib/errors/IiiRxError';
import { errorOf, syncWithEngine } from '../worker/workerTestKit';

type Sdk = ReturnType<typeof registerWorker>;

/** The SDK has no "connected" signal: a call of an unknown function returns after its replayed registrations. */
async function syncSdk(sdk: Sdk): Promise<void> {
  await sdk.trigger({ function_id: 'iii-rx::spec::sdk-sync-probe', payload: null, timeoutMs: 5000 }).catch((err: { code?: string }) => {
    if (err?.code !== 'function_not_found') throw err;
  });
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('iii-rx worker client ⇄ official iii-sdk 0.22.1 (embedded engine)', () => {
  let engine: EmbeddedEngine;
  let sdk: Sdk;
  let rx: Worker;
  let debugSpy: jest.SpyInstance;

  beforeAll(async () => {
    debugSpy = jest.spyOn(console, 'debug').mockImplementation(() => undefined); // the SDK narrates reconnects
    engine = await startEngine({ port: 0 });
    sdk = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false, workerName: 'sdk-peer' });
    rx = connectWorker(engine.url, { workerName: 'rx-peer' });
    await Promise.all([syncSdk(sdk), syncWithEngine(rx)]);
  });

  afterAll(async () => {
    await sdk.shutdown();
    await rx.close();
    await engine.close();
    debugSpy.mockRestore();
  });

  describe('iii-rx calls an iii-sdk function', () => {
    it('gets the result, and the SDK handler gets input and metadata', async () => {
      const seen = deferred<{ input: unknown; metadata: unknown }>();
      const fn = sdk.registerFunction('sdk::add', async (input: { a: number; b: number }, metadata?: unknown) => {
        seen.resolve({ input, metadata });
        return { sum: input.a + input.b };
      });
      await syncSdk(sdk);
      const result = await firstValueFrom(rx.trigger('sdk::add', { a: 4, b: 5 }, { metadata: { via: 'rx' } }));
      expect(result).toEqual({ sum: 9 });
      const { input, metadata } = await seen.promise;
      expect(input).toEqual({ a: 4, b: 5, _caller_worker_id: rx.workerId });
      expect(metadata).toEqual({ via: 'rx' });
      fn.unregister();
    });

    it('keeps invocation_failed (message and stack) and function_not_found', async () => {
      const fn = sdk.registerFunction('sdk::fail', async () => {
        throw new Error('sdk handler broke');
      });
      await syncSdk(sdk);
      const failed = (await errorOf(rx.trigger('sdk::fail', {}))) as InvocationError;
      expect(failed).toBeInstanceOf(InvocationError);
      expect(failed.code).toBe('invocation_failed');
      expect(failed.message).toBe('invocation_failed: sdk handler broke');
      expect(failed.stacktrace).toMatch(/sdk handler broke/);
      fn.unregister();
      await syncSdk(sdk);
      const missing = (await errorOf(rx.trigger('sdk::fail', {}))) as InvocationError;
      expect(missing.code).toBe('function_not_found');
    });

    it('void calls reach the SDK handler and complete without a value', async () => {
      const ran = deferred<unknown>();
      const fn = sdk.registerFunction('sdk::notify', async (input: unknown) => {
        ran.resolve(input);
        return 'ignored';
      });
      await syncSdk(sdk);
      const values = await lastValueFrom(rx.trigger('sdk::notify', { note: 1 }, { action: 'void' }).pipe(toArray()));
      expect(values).toEqual([]);
      expect(await ran.promise).toEqual({ note: 1, _caller_worker_id: rx.workerId });
      fn.unregister();
    });
  });

  describe('iii-sdk calls an iii-rx function', () => {
    it('gets the result of a plain, Promise or Observable handler', async () => {
      const seen: FunctionContext[] = [];
      const regs = [
        rx.registerFunction('rx::mul', (input: { a: number; b: number }, ctx) => {
          seen.push(ctx);
          return input.a * input.b;
        }),
        rx.registerFunction('rx::async', async () => ({ nested: [1, 'two', null] })),
        rx.registerFunction('rx::obs', () => of('from an Observable')),
      ];
      await syncWithEngine(rx);
      expect(await sdk.trigger({ function_id: 'rx::mul', payload: { a: 6, b: 7 }, metadata: { via: 'sdk' } })).toBe(42);
      expect(await sdk.trigger({ function_id: 'rx::async', payload: null })).toEqual({ nested: [1, 'two', null] });
      expect(await sdk.trigger({ function_id: 'rx::obs', payload: null })).toBe('from an Observable');
      expect(seen[0].metadata).toEqual({ via: 'sdk' });
      expect(seen[0].callerWorkerId).toEqual(expect.any(String));
      expect(seen[0].callerWorkerId).not.toBe(rx.workerId);
      regs.forEach((r) => r.unregister());
    });

    it('the SDK sees invocation_failed with message and stack, invalid_input naming its path, and a chosen code', async () => {
      const regs = [
        rx.registerFunction('rx::fail', () => {
          throw new Error('rx handler broke');
        }),
        rx.registerFunction('rx::typed', (input: { n: number }) => input.n + 1, { input: t.type({ n: t.number }) }),
      ];
      await syncWithEngine(rx);
      const err = await sdk.trigger({ function_id: 'rx::fail', payload: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SdkInvocationError);
      expect((err as SdkInvocationError).code).toBe('invocation_failed');
      expect((err as SdkInvocationError).message).toBe('invocation_failed: rx handler broke');
      expect((err as SdkInvocationError).stacktrace).toMatch(/rx handler broke/);
      const bad = await sdk.trigger({ function_id: 'rx::typed', payload: { n: 'one' } }).catch((e: unknown) => e);
      expect((bad as SdkInvocationError).code).toBe('invalid_input');
      expect((bad as SdkInvocationError).message).toMatch(/at n:/);
      expect(await sdk.trigger({ function_id: 'rx::typed', payload: { n: 1 } })).toBe(2);
      regs.push(
        rx.registerFunction('rx::refuse', () => {
          throw new IiiRxError('NOT_ALLOWED', 'not for you');
        }),
      );
      await syncWithEngine(rx);
      const refused = await sdk.trigger({ function_id: 'rx::refuse', payload: {} }).catch((e: unknown) => e);
      expect((refused as SdkInvocationError).code).toBe('NOT_ALLOWED');
      expect((refused as SdkInvocationError).message).toBe('NOT_ALLOWED: not for you');
      regs.forEach((r) => r.unregister());
    });

    it('SDK void calls run the iii-rx handler', async () => {
      const ran = deferred<unknown>();
      const reg = rx.registerFunction('rx::sink', (input: unknown) => void ran.resolve(input));
      await syncWithEngine(rx);
      await expect(sdk.trigger({ function_id: 'rx::sink', payload: [1, 2], action: { type: 'void' } })).resolves.toBeUndefined();
      expect(await ran.promise).toEqual([1, 2]);
      reg.unregister();
    });
  });

  describe('triggers across the two clients', () => {
    it('an iii-rx trigger type serves an SDK trigger binding', async () => {
      const bound = deferred<TriggerBinding>();
      const type = rx.registerTriggerType('rx-tick', 'ticks on demand', {
        registerTrigger: (binding) => void bound.resolve(binding),
        unregisterTrigger: () => undefined,
      });
      await syncWithEngine(rx);
      sdk.registerTrigger({ type: 'rx-tick', function_id: 'sdk::on-tick', config: { every: 1 } });
      const binding = await bound.promise;
      expect(binding).toMatchObject({ triggerType: 'rx-tick', functionId: 'sdk::on-tick', config: { every: 1 } });
      type.unregister();
    });

    it('an SDK trigger type serves an iii-rx binding; its refusal reaches triggerErrors$', async () => {
      const bound = deferred<{ function_id: string; config: unknown }>();
      sdk.registerTriggerType(
        { id: 'sdk-tick', description: 'sdk ticks' },
        {
          registerTrigger: async (trigger: { function_id: string; config: unknown }) => {
            if ((trigger.config as { refuse?: boolean }).refuse) throw new Error('sdk provider says no');
            bound.resolve(trigger);
          },
          unregisterTrigger: async () => undefined,
        },
      );
      await syncSdk(sdk);
      const errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        rx.registerTrigger({ type: 'sdk-tick', functionId: 'rx::on-tick', config: { at: 'noon' } });
        expect(await bound.promise).toMatchObject({ function_id: 'rx::on-tick', config: { at: 'noon' } });
        const failure = firstValueFrom(rx.triggerErrors$);
        rx.registerTrigger({ type: 'sdk-tick', functionId: 'rx::on-tick', config: { refuse: true } });
        expect(await failure).toMatchObject({ code: 'trigger_registration_failed', message: 'sdk provider says no' });
      } finally {
        errorSpy.mockRestore();
      }
    });
  });
});
