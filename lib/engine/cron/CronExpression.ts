/** A cron expression the engine cannot use; `message` is the text the registering worker is sent. */
export class CronExpressionError extends Error {
  readonly code = 'INVALID_CRON_EXPRESSION';
  constructor(expression: string, detail: string) {
    super(`Invalid cron expression '${expression}': ${detail}`);
    this.name = 'CronExpressionError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `?` allowed (the two day fields). */
  question?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'seconds', min: 0, max: 59 },
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'days of month', min: 1, max: 31, question: true },
  { name: 'months', min: 1, max: 12, names: MONTHS },
  { name: 'days of week', min: 1, max: 7, names: DAYS, question: true },
  { name: 'years', min: 1970, max: 2100 },
];

const SHORTHANDS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 * *',
  '@monthly': '0 0 0 1 * * *',
  '@weekly': '0 0 0 * * 1 *',
  '@daily': '0 0 0 * * * *',
  '@hourly': '0 0 * * * * *',
};

const MAX_YEAR = 2100;

/**
 * A parsed cron schedule with the real engine's semantics (PROTOCOL.md §11.2, the `cron` crate 0.15):
 * six or seven fields `sec min hour day-of-month month day-of-week [year]` (five are refused), the
 * shorthands `@yearly @monthly @weekly @daily @hourly`, names (`Mon`, `Jan`), `*`, `?` in the day fields,
 * lists `a,b`, ranges `a-b`, steps `*\/n`, `a/n`, `a-b/n`; day-of-week 1–7 = Sunday–Saturday; a day must
 * match both day fields; evaluated in UTC.
 *
 * @throws CronExpressionError for anything else
 * @example
 * ```ts
 * const every5s = CronExpression.parse('*\/5 * * * * *');
 * every5s.nextAfter(Date.UTC(2026, 0, 1, 0, 0, 3)); // Date.UTC(2026, 0, 1, 0, 0, 5)
 * CronExpression.parse('0 30 9 * * Mon-Fri'); // weekdays 09:30:00 UTC
 * ```
 */
export class CronExpression {
  private constructor(
    readonly source: string,
    private readonly fields: ReadonlyArray<ReadonlySet<number>>,
  ) {}

  /** Parses `expression`; see the class comment for the syntax. */
  static parse(expression: string): CronExpression {
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw new CronExpressionError(String(expression), 'the expression is empty');
    }
    const trimmed = expression.trim();
    const expanded = trimmed.startsWith('@') ? SHORTHANDS[trimmed.toLowerCase()] : trimmed;
    if (expanded === undefined) throw new CronExpressionError(expression, `unknown shorthand ${trimmed}`);
    const parts = expanded.split(/\s+/);
    if (parts.length !== 6 && parts.length !== 7) {
      throw new CronExpressionError(
        expression,
        `expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), got ${parts.length}`,
      );
    }
    if (parts.length === 6) parts.push('*');
    const fields = parts.map((part, i) => parseField(expression, part, FIELDS[i]));
    return new CronExpression(expression, fields);
  }

  /** The first matching instant strictly after `afterMs` (Unix ms, whole seconds), or undefined if none before 2101. */
  nextAfter(afterMs: number): number | undefined {
    const [seconds, minutes, hours, daysOfMonth, months, daysOfWeek, years] = this.fields;
    let t = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
    for (;;) {
      const year = t.getUTCFullYear();
      if (year > MAX_YEAR) return undefined;
      if (!years.has(year)) {
        t = new Date(Date.UTC(year + 1, 0, 1));
        continue;
      }
      const month = t.getUTCMonth();
      if (!months.has(month + 1)) {
        t = new Date(Date.UTC(year, month + 1, 1));
        continue;
      }
      const day = t.getUTCDate();
      if (!daysOfMonth.has(day) || !daysOfWeek.has(t.getUTCDay() + 1)) {
        t = new Date(Date.UTC(year, month, day + 1));
        continue;
      }
      const hour = t.getUTCHours();
      if (!hours.has(hour)) {
        t = new Date(Date.UTC(year, month, day, hour + 1));
        continue;
      }
      const minute = t.getUTCMinutes();
      if (!minutes.has(minute)) {
        t = new Date(Date.UTC(year, month, day, hour, minute + 1));
        continue;
      }
      if (!seconds.has(t.getUTCSeconds())) {
        t = new Date(t.getTime() + 1000);
        continue;
      }
      return t.getTime();
    }
  }
}

function parseField(expression: string, text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronExpressionError(expression, `empty list item in ${spec.name}`);
    const [rangeText, stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronExpressionError(expression, `more than one '/' in ${spec.name}: ${item}`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new CronExpressionError(expression, `invalid step '${stepText}' in ${spec.name}`);
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (rangeText === '*' || (rangeText === '?' && spec.question)) {
      from = spec.min;
      to = spec.max;
    } else if (rangeText === '?') {
      throw new CronExpressionError(expression, `'?' is only allowed in the day fields, not in ${spec.name}`);
    } else {
      const bounds = rangeText.split('-');
      if (bounds.length > 2) throw new CronExpressionError(expression, `invalid range '${rangeText}' in ${spec.name}`);
      from = parseValue(expression, bounds[0], spec);
      // `a/n` runs from a to the field's maximum
      to = bounds.length === 2 ? parseValue(expression, bounds[1], spec) : stepText !== undefined ? spec.max : from;
      if (from > to) throw new CronExpressionError(expression, `range ${rangeText} in ${spec.name} runs backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseValue(expression: string, text: string, spec: FieldSpec): number {
  let value: number | undefined;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else if (spec.names) {
    const lower = text.toLowerCase();
    const full = spec.names === MONTHS ? MONTH_NAMES : DAY_NAMES;
    const index = spec.names.indexOf(lower) >= 0 ? spec.names.indexOf(lower) : full.indexOf(lower);
    if (index >= 0) value = index + 1;
  }
  if (value === undefined) throw new CronExpressionError(expression, `invalid value '${text}' in ${spec.name}`);
  if (value < spec.min || value > spec.max) {
    throw new CronExpressionError(expression, `${spec.name} value ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}
