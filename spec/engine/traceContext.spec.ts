import { calleeBaggage, echoCallerTrace, isW3cTraceparent, mintTraceparent } from '../../lib/engine/traceContext';

describe('traceContext', () => {
  it('recognises W3C traceparents', () => {
    expect(isW3cTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(true);
    expect(isW3cTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra')).toBe(true);
    for (const bad of ['00-aa-bb-01', '00-00000000000000000000000000000000-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01', 5]) {
      expect(isW3cTraceparent(bad)).toBe(false);
    }
    expect(isW3cTraceparent(mintTraceparent())).toBe(true);
    expect(mintTraceparent()).not.toBe(mintTraceparent());
  });

  it('replaces iii.function.id in the baggage and encodes what a baggage value may not hold', () => {
    expect(calleeBaggage('a=1, iii.function.id=old ,b=2', 'x::y')).toBe('a=1,b=2,iii.function.id=x::y');
    expect(calleeBaggage(undefined, 'a b,c')).toBe('iii.function.id=a%20b%2Cc');
    expect(calleeBaggage('junk,=nokey', 'f')).toBe('iii.function.id=f');
  });

  it('echoes only what the caller sent', () => {
    expect(echoCallerTrace({}, { traceparent: 'tp' })).toEqual({ traceparent: 'tp' });
    expect(echoCallerTrace({}, undefined)).toEqual({});
  });
});
