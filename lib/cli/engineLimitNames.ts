/**
 * The numeric `startEngine` limits `iii-rx engine --limit NAME=N` may set (README, "Limits").
 *
 * @example
 * ```ts
 * ENGINE_LIMIT_NAMES.includes('maxOutboundBytes'); // true
 * ```
 */
export const ENGINE_LIMIT_NAMES = [
  'socketHighWaterBytes',
  'outboundQueueFrames',
  'maxOutboundBytes',
  'outboundStallMs',
  'channelReaderHighWaterBytes',
  'channelMaxQueuedBytes',
  'channelMaxQueuedBytesPerWorker',
  'channelMaxQueuedBytesTotal',
  'channelFramePoolBytes',
  'maxChannelsPerWorker',
  'maxChannels',
  'maxPendingPerWorker',
  'maxPendingInvocations',
  'maxFunctionsPerWorker',
  'maxFunctions',
  'maxRegistrationBytesPerWorker',
  'maxRegistrationBytes',
  'maxTriggersPerWorker',
  'maxTriggers',
  'maxTriggerTypesPerWorker',
  'maxIdLength',
] as const;

/** One of {@link ENGINE_LIMIT_NAMES}. */
export type EngineLimitName = (typeof ENGINE_LIMIT_NAMES)[number];

/**
 * Parses one `--limit` value `NAME=N` (N a non-negative integer).
 *
 * @throws Error naming the known limits when NAME is unknown or N is not an integer
 * @example
 * ```ts
 * parseEngineLimit('maxOutboundBytes=1048576'); // ['maxOutboundBytes', 1048576]
 * ```
 */
export function parseEngineLimit(text: string): [EngineLimitName, number] {
  const eq = text.indexOf('=');
  const name = text.slice(0, eq) as EngineLimitName;
  const raw = text.slice(eq + 1);
  if (eq < 0 || !ENGINE_LIMIT_NAMES.includes(name)) {
    throw new Error(`--limit expects NAME=N with NAME one of ${ENGINE_LIMIT_NAMES.join(', ')}; got ${text.slice(0, 80)}`);
  }
  if (!/^\d{1,15}$/.test(raw)) throw new Error(`--limit ${name} must be a non-negative integer, got ${raw.slice(0, 40)}`);
  return [name, Number(raw)];
}
