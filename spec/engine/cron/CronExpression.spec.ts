import { CronExpression, CronExpressionError } from '../../../lib/engine/cron/CronExpression';

const at = (iso: string) => Date.parse(iso);
const next = (expression: string, after: string) => {
  const ms = CronExpression.parse(expression).nextAfter(at(after));
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('CronExpression (the real engine\'s cron syntax, PROTOCOL.md §11.2)', () => {
  it('reads six fields seconds first, in UTC', () => {
    expect(next('*/5 * * * * *', '2026-01-01T00:00:03Z')).toBe('2026-01-01T00:00:05.000Z');
    expect(next('*/5 * * * * *', '2026-01-01T00:00:05Z')).toBe('2026-01-01T00:00:10.000Z');
    expect(next('0 30 9 * * *', '2026-01-01T10:00:00Z')).toBe('2026-01-02T09:30:00.000Z');
    expect(next('15 * * * * *', '2026-01-01T00:00:15.500Z')).toBe('2026-01-01T00:01:15.000Z');
  });

  it('takes a seventh field for the year', () => {
    expect(next('0 0 0 1 1 * 2030', '2026-06-01T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
    expect(next('0 0 0 1 1 * 2020', '2026-06-01T00:00:00Z')).toBeUndefined();
  });

  it('refuses five fields with the real engine\'s message', () => {
    expect(() => CronExpression.parse('*/1 * * * *')).toThrow(/^Invalid cron expression '\*\/1 \* \* \* \*': /);
    expect(() => CronExpression.parse('*/1 * * * *')).toThrow(CronExpressionError);
  });

  it('numbers the days of the week 1-7 from Sunday and accepts names', () => {
    // 2026-01-01 is a Thursday
    expect(next('0 0 12 * * 1', '2026-01-01T00:00:00Z')).toBe('2026-01-04T12:00:00.000Z'); // Sunday
    expect(next('0 0 12 * * 7', '2026-01-01T00:00:00Z')).toBe('2026-01-03T12:00:00.000Z'); // Saturday
    expect(next('0 0 12 * * Mon', '2026-01-01T00:00:00Z')).toBe('2026-01-05T12:00:00.000Z');
    expect(next('0 0 12 * * MON-FRI', '2026-01-02T13:00:00Z')).toBe('2026-01-05T12:00:00.000Z');
    expect(next('0 0 0 1 Mar *', '2026-01-01T00:00:00Z')).toBe('2026-03-01T00:00:00.000Z');
    expect(() => CronExpression.parse('0 0 0 * * 0')).toThrow(/days of week value 0 is outside 1-7/);
  });

  it('accepts ? in the day fields only', () => {
    expect(next('0 0 0 ? * 2', '2026-01-01T00:00:00Z')).toBe('2026-01-05T00:00:00.000Z');
    expect(next('0 0 0 10 * ?', '2026-01-01T00:00:00Z')).toBe('2026-01-10T00:00:00.000Z');
    expect(() => CronExpression.parse('? * * * * *')).toThrow(/only allowed in the day fields/);
  });

  it('requires both day fields to match', () => {
    // the 13th that is a Friday (day-of-week 6)
    expect(next('0 0 0 13 * 6', '2026-01-01T00:00:00Z')).toBe('2026-02-13T00:00:00.000Z');
  });

  it('reads lists, ranges and steps', () => {
    const seconds = (expression: string) => {
      const out: number[] = [];
      let t = at('2026-01-01T00:00:00Z') - 1000;
      for (let i = 0; i < 6; i++) {
        t = CronExpression.parse(expression).nextAfter(t) as number;
        out.push(new Date(t).getUTCSeconds());
      }
      return out;
    };
    expect(seconds('1,7,30 * * * * *')).toEqual([1, 7, 30, 1, 7, 30]);
    expect(seconds('10-12 * * * * *')).toEqual([10, 11, 12, 10, 11, 12]);
    expect(seconds('50/4 * * * * *')).toEqual([50, 54, 58, 50, 54, 58]);
    expect(seconds('0-20/10 * * * * *')).toEqual([0, 10, 20, 0, 10, 20]);
  });

  it('knows the shorthands', () => {
    const from = '2026-01-07T10:20:30Z'; // a Wednesday
    expect(next('@yearly', from)).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@monthly', from)).toBe('2026-02-01T00:00:00.000Z');
    expect(next('@weekly', from)).toBe('2026-01-11T00:00:00.000Z');
    expect(next('@daily', from)).toBe('2026-01-08T00:00:00.000Z');
    expect(next('@hourly', from)).toBe('2026-01-07T11:00:00.000Z');
    expect(() => CronExpression.parse('@sometimes')).toThrow(/unknown shorthand/);
  });

  it('finds no time for an impossible date and refuses malformed fields', () => {
    expect(next('0 0 0 30 2 *', '2026-01-01T00:00:00Z')).toBeUndefined();
    for (const bad of ['', '60 * * * * *', '* * * 0 * *', '*/0 * * * * *', '5-1 * * * * *', 'x * * * * *', '1,,2 * * * * *']) {
      expect(() => CronExpression.parse(bad)).toThrow(CronExpressionError);
    }
  });
});
