// The `iii-rx/testing` entry (Node only): an embedded engine for users' own tests.
export { startTestEngine } from './startTestEngine';
export type { TestEngineOptions } from './startTestEngine';
export { TestEngine } from './TestEngine';
export type { TestEngineLogEntry } from './TestEngine';
export type { TestHttpResponse, TestHttpRequestOptions } from './TestHttpResponse';
export type { TestInvocation } from './TestInvocation';
export type { CronFire } from '../engine/cron/CronFire';
export type { QueueDelivery } from '../engine/queue/QueueDelivery';
