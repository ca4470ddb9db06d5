import { isRight } from 'fp-ts/lib/Either';
import type * as t from 'io-ts';
import { FRAME_CODECS } from '../../lib/protocol/Frame';
import { isHotFrame } from '../../lib/protocol/isHotFrame';

const ID = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';

describe('isHotFrame', () => {
  const cases: Array<Record<string, unknown>> = [
    { type: 'invocationresult', invocation_id: ID, function_id: 'f', result: { a: 1 } },
    { type: 'invocationresult', invocation_id: ID, error: { code: 'x', message: 'y' }, traceparent: null },
    { type: 'invocationresult', invocation_id: ID, baggage: 'k=v', traceparent: '00-a-b-01' },
    { type: 'invocationresult' },
    { type: 'invocationresult', invocation_id: 7 },
    { type: 'invocationresult', invocation_id: ID, function_id: 3 },
    { type: 'invocationresult', invocation_id: ID, traceparent: {} },
    { type: 'invokefunction', invocation_id: ID, function_id: 'f', data: null },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'void' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: null },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'enqueue', queue: 'q' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'enqueue' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'enqueue', queue: null } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'later' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'enqueue', queue: 5 } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: [] },
    { type: 'invokefunction', function_id: 'f', data: 1, action: 'void' },
    { type: 'invokefunction', data: 1 },
    { type: 'invokefunction', function_id: 'f', baggage: 9 },
    { type: 'invokefunction', function_id: 'f', invocation_id: 12 },
  ];

  it.each(cases.map((c) => [JSON.stringify(c), c]))('accepts exactly what the io-ts codec accepts: %s', (_, frame) => {
    const codec: t.Mixed = FRAME_CODECS[frame.type as 'invokefunction' | 'invocationresult'];
    expect(isHotFrame(frame)).toBe(isRight(codec.decode(frame)));
  });

  it('leaves every other frame type to the codecs', () => {
    expect(isHotFrame({ type: 'workerregistered', worker_id: ID })).toBe(false);
    expect(isHotFrame({ type: 'ping' })).toBe(false);
  });
});
