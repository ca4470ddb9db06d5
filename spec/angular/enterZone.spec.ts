import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { enterZone } from '../../lib/angular/enterZone';
import type { ZoneLike } from '../../lib/angular/ZoneLike';

/** A zone that knows whether code runs inside it (what NgZone.isInAngularZone tells an app). */
class RecordingZone implements ZoneLike {
  inside = false;
  runs = 0;
  run<T>(fn: () => T): T {
    const was = this.inside;
    this.inside = true;
    this.runs++;
    try {
      return fn();
    } finally {
      this.inside = was;
    }
  }
  runOutsideAngular<T>(fn: () => T): T {
    const was = this.inside;
    this.inside = false;
    try {
      return fn();
    } finally {
      this.inside = was;
    }
  }
}

describe('enterZone', () => {
  let scheduler: TestScheduler;
  beforeEach(() => (scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  it('delivers every value, in time, inside the zone', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const zone = new RecordingZone();
      const source = cold('-a--b-(c|)');
      const result = source.pipe(enterZone(zone), map((v) => `${v}:${zone.inside ? 'in' : 'out'}`));
      expectObservable(result).toBe('-a--b-(c|)', { a: 'a:in', b: 'b:in', c: 'c:in' });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('delivers errors inside the zone and unsubscribes upstream with the subscriber', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const zone = new RecordingZone();
      const failing = cold('--a-#', { a: 1 }, new Error('boom'));
      const errorsInZone: boolean[] = [];
      const watched = failing.pipe(enterZone(zone));
      watched.subscribe({ error: () => errorsInZone.push(zone.inside) });
      expectObservable(watched).toBe('--a-#', { a: 1 }, new Error('boom'));

      const endless = hot('--a--b--c--');
      expectObservable(endless.pipe(enterZone(zone)), '^---!').toBe('--a--');
      expectSubscriptions(endless.subscriptions).toBe('^---!');
      scheduler.flush();
      expect(errorsInZone).toEqual([true]);
    });
  });

  it('is the identity without a zone', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-|').pipe(enterZone(null))).toBe('-a-|');
    });
  });
});
