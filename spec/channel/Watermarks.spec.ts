import { TestScheduler } from 'rxjs/testing';
import { Watermarks } from '../../lib/channel/Watermarks';
import { pauseSignals } from '../../lib/channel/pauseSignals';

describe('Watermarks', () => {
  it('pauses above the high mark and resumes only at the low mark (hysteresis)', () => {
    const gate = new Watermarks({ highWaterMark: 4, lowWaterMark: 1 });
    expect([1, 2, 3, 4].map((n) => gate.update(n))).toEqual([undefined, undefined, undefined, undefined]);
    expect(gate.update(5)).toBe('pause');
    expect(gate.paused).toBe(true);
    expect(gate.update(6)).toBeUndefined();
    expect(gate.update(3)).toBeUndefined();
    expect(gate.update(2)).toBeUndefined();
    expect(gate.update(1)).toBe('resume');
    expect(gate.paused).toBe(false);
    expect(gate.update(4)).toBeUndefined();
  });

  it('with byte marks, pauses when either bound is passed and resumes only when both are back at their low marks', () => {
    const gate = new Watermarks({ highWaterMark: 64, highWaterMarkBytes: 1024, lowWaterMarkBytes: 256 });
    expect(gate.update(1, 8 * 1024 * 1024)).toBe('pause'); // one big frame is enough
    expect(gate.update(0, 512)).toBeUndefined();
    expect(gate.update(0, 256)).toBe('resume');
    expect(gate.update(65, 10)).toBe('pause'); // many small frames: the frame cap
    expect(gate.update(32, 10)).toBe('resume');
    expect(new Watermarks({ highWaterMark: 4, highWaterMarkBytes: 1000 }).lowBytes).toBe(500);
    expect(() => new Watermarks({ highWaterMark: 4, highWaterMarkBytes: 100, lowWaterMarkBytes: 100 })).toThrow(RangeError);
  });

  it('defaults the low mark to half the high mark', () => {
    const gate = new Watermarks({ highWaterMark: 9 });
    expect(gate.low).toBe(4);
  });

  it('rejects marks that cannot work', () => {
    expect(() => new Watermarks({ highWaterMark: 0 })).toThrow(RangeError);
    expect(() => new Watermarks({ highWaterMark: 4, lowWaterMark: 4 })).toThrow(RangeError);
    expect(() => new Watermarks({ highWaterMark: 4, lowWaterMark: -1 })).toThrow(RangeError);
  });
});

describe('pauseSignals', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits pause when in-flight rises above the high mark and resume at the low mark', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const counts = cold('a-b-c-d-e-f-g-h|', { a: 1, b: 3, c: 4, d: 5, e: 3, f: 2, g: 6, h: 0 });
      expectObservable(counts.pipe(pauseSignals({ highWaterMark: 3, lowWaterMark: 2 }))).toBe(
        '----P-----R-P-R|',
        { P: 'pause', R: 'resume' },
      );
    });
  });

  it('keeps its state per subscription and passes errors on', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const counts = cold('a-b-#', { a: 9, b: 0 });
      const signals = counts.pipe(pauseSignals({ highWaterMark: 2 }));
      expectObservable(signals).toBe('P-R-#', { P: 'pause', R: 'resume' });
      expectObservable(signals).toBe('P-R-#', { P: 'pause', R: 'resume' });
    });
  });
});
