import type { Frame } from '../../lib/protocol/Frame';
import { realEngineDropEffect, realEngineFrameDrop } from '../../lib/engine/realEngineFrameDrop';

const drop = (frame: Record<string, unknown>) => realEngineFrameDrop(frame as unknown as Frame);
const ID = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';

describe('realEngineFrameDrop', () => {
  it('names the field of every frame upstream cannot decode', () => {
    expect(drop({ type: 'invokefunction', function_id: 'f' })).toMatchObject({ frame: 'invokefunction', field: 'data' });
    expect(drop({ type: 'invokefunction', function_id: 'f', data: {}, invocation_id: 'x' })?.field).toBe('invocation_id');
    expect(drop({ type: 'invokefunction', function_id: 'f', data: {}, action: { type: 'enqueue' } })?.field).toBe('action.queue');
    expect(drop({ type: 'invocationresult', invocation_id: ID })?.field).toBe('function_id');
    expect(drop({ type: 'invocationresult', invocation_id: ID, function_id: 'f', error: { code: 1, message: 'm' } })?.field).toBe('error.code');
    expect(drop({ type: 'invocationresult', invocation_id: ID, function_id: 'f', error: { code: 'c' } })?.field).toBe('error.message');
    expect(drop({ type: 'invocationresult', invocation_id: ID, function_id: 'f', error: 'x' })?.field).toBe('error');
    expect(drop({ type: 'registertriggertype', id: 't' })?.field).toBe('description');
    expect(drop({ type: 'registertrigger', id: 'b', trigger_type: 't', function_id: 'f' })?.field).toBe('config');
    expect(drop({ type: 'registerfunction', id: 'f', invocation: { url: 'u', method: 'post' } })?.field).toBe('invocation.method');
    expect(drop({ type: 'unregistertriggertype', id: 't' })?.frame).toBe('unregistertriggertype');
  });

  it('accepts what upstream accepts: null data and config, an empty description, a null error or stacktrace', () => {
    expect(drop({ type: 'invokefunction', function_id: 'f', data: null, invocation_id: ID.toUpperCase() })).toBeUndefined();
    expect(drop({ type: 'registertrigger', id: 'b', trigger_type: 't', function_id: 'f', config: null })).toBeUndefined();
    expect(drop({ type: 'registertriggertype', id: 't', description: '' })).toBeUndefined();
    expect(drop({ type: 'invocationresult', invocation_id: ID, function_id: 'f', error: null, result: null })).toBeUndefined();
    expect(drop({ type: 'invocationresult', invocation_id: ID, function_id: 'f', error: { code: 'c', message: 'm', stacktrace: null } })).toBeUndefined();
    expect(drop({ type: 'registerfunction', id: '', invocation: { url: 'http://x', method: 'PUT', headers: { a: 'b' }, auth: { type: 'bearer', token_key: 'K' } } })).toBeUndefined();
  });

  it('says what the peer experiences', () => {
    expect(realEngineDropEffect('invokefunction')).toMatch(/caller times out/);
    expect(realEngineDropEffect(undefined)).toMatch(/connection stays open/);
  });
});
