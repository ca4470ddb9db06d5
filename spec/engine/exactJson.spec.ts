import { randomUUID } from 'node:crypto';
import { mayHaveInexactNumbers, RawJson, scanJson, stringifyFrame } from '../../lib/engine/exactJson';
import { Prng } from '../reliability/support/Prng';

describe('mayHaveInexactNumbers (the quick check before the exact scan)', () => {
  it('is false for the frames of ordinary calls, UUIDs included', () => {
    for (let i = 0; i < 500; i++) {
      const text = JSON.stringify({
        type: 'invokefunction',
        invocation_id: randomUUID(),
        function_id: 'bench::echo',
        data: { i, s: 'hello', _caller_worker_id: randomUUID(), f: i / 8 },
      });
      expect(mayHaveInexactNumbers(text)).toBe(false);
    }
    // hex that looks like an exponent, inside and at the end of a string
    expect(mayHaveInexactNumbers('{"id":"0d9b6a52-3f1e-4e01-a8c4-5d2f7e61b9aa","k":"ab9e123"}')).toBe(false);
  });

  it('is true for every number that JSON.parse would change, wherever it ends', () => {
    for (const n of ['1e400', '1E+400', '-2.5e0309', '9007199254740993', '-12345678901234567890', '1e1000']) {
      for (const text of [n, `[${n}]`, `{"a":${n}}`, `{"a": ${n} ,"b":1}`, `{"a":[1,${n}\n]}`]) {
        expect(mayHaveInexactNumbers(text)).toBe(true);
        const scan = scanJson(text);
        expect(scan.nonFinite || scan.lossy).toBe(true);
      }
    }
  });

  it('never says false where the exact scan finds a number out of range or rounded (random texts)', () => {
    const rng = new Prng(0x5eed);
    const numberText = () => {
      const digits = (k: number) => Array.from({ length: k }, () => String(rng.u32() % 10)).join('');
      const mantissa = `${rng.float() < 0.3 ? '-' : ''}${String(1 + (rng.u32() % 9))}${digits(rng.u32() % 20)}`;
      const frac = rng.float() < 0.3 ? `.${digits(1 + (rng.u32() % 4))}` : '';
      const exp = rng.float() < 0.5 ? `${rng.float() < 0.5 ? 'e' : 'E'}${['', '+', '-'][rng.u32() % 3]}${digits(1 + (rng.u32() % 4))}` : '';
      return mantissa + frac + exp;
    };
    let flagged = 0;
    for (let i = 0; i < 5000; i++) {
      const parts = Array.from({ length: 1 + (rng.u32() % 4) }, () => numberText());
      const text = rng.float() < 0.5 ? `[${parts.join(',')}]` : `{"id":"${randomUUID()}","v":${parts.join(' ,"w":')}}`.replace(/ ,"w":/g, (m, o) => `,"w${o}":`);
      JSON.parse(text); // the inputs are valid JSON
      const scan = scanJson(text);
      // the bytes of the text give the same answer as the text
      expect(mayHaveInexactNumbers(Buffer.from(text))).toBe(mayHaveInexactNumbers(text));
      if (scan.nonFinite || scan.lossy) {
        flagged++;
        expect({ text, quick: mayHaveInexactNumbers(text) }).toEqual({ text, quick: true });
      }
    }
    expect(flagged).toBeGreaterThan(100);
  });
});

describe('stringifyFrame', () => {
  it('is JSON.stringify for a frame without raw members', () => {
    const frame = { type: 'invocationresult', invocation_id: 'x', result: { a: [1, 'b'] }, skipped: undefined };
    expect(stringifyFrame(frame)).toBe(JSON.stringify(frame));
  });

  it('writes raw members verbatim', () => {
    expect(stringifyFrame({ type: 'invocationresult', result: new RawJson('18446744073709551615'), gone: undefined })).toBe(
      '{"type":"invocationresult","result":18446744073709551615}',
    );
  });
});
