/**
 * The two methods of Angular's `NgZone` that iii-rx uses. `NgZone` itself fits; so does any object that runs the
 * function it is given, which is how zoneless apps opt out.
 */
export interface ZoneLike {
  run<T>(fn: () => T): T;
  runOutsideAngular<T>(fn: () => T): T;
}
