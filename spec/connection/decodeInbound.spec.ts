import { decodeInbound } from '../../lib/connection/decodeInbound';
import { decodeFrame } from '../../lib/protocol/decodeFrame';

const ID = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';

describe('decodeInbound', () => {
  const cases: unknown[] = [
    { type: 'invocationresult', invocation_id: ID, function_id: 'f', result: { a: 1 } },
    { type: 'invocationresult', invocation_id: ID, error: { code: 'x', message: 'y' }, traceparent: null },
    { type: 'invocationresult' },
    { type: 'invocationresult', invocation_id: 7 },
    { type: 'invocationresult', invocation_id: ID, function_id: 3 },
    { type: 'invokefunction', invocation_id: ID, function_id: 'f', data: null },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'void' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'enqueue', queue: 'q' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'later' } },
    { type: 'invokefunction', function_id: 'f', data: 1, action: { type: 'enqueue', queue: 5 } },
    { type: 'invokefunction', data: 1 },
    { type: 'invokefunction', function_id: 'f', baggage: 9 },
    { type: 'workerregistered', worker_id: ID },
    { type: 'pong' },
    { type: 'mystery' },
    [1, 2],
    'text',
    null,
  ];

  it.each(cases.map((c) => [JSON.stringify(c)]))('agrees with decodeFrame on %s', (text) => {
    expect(decodeInbound(text)).toEqual(decodeFrame(text));
  });

  it('agrees on empty, whitespace, broken JSON and binary input', () => {
    for (const text of ['', '  \n', '{oops']) expect(decodeInbound(text)).toEqual(decodeFrame(text));
    const bytes = new TextEncoder().encode(JSON.stringify({ type: 'invocationresult', invocation_id: ID }));
    expect(decodeInbound(bytes)).toEqual(decodeFrame(bytes));
  });
});
