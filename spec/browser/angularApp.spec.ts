import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, filter, from } from 'rxjs';
import type { Browser, Page } from 'playwright-core';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { bundlePage, launchChromium, openPage, servePages } from './browserHarness';

/** Where the test leaves its screenshot of the running app. */
export const SCREENSHOT = join(__dirname, '../../.cache/browser/angular-app.png');

const APP_WORKER_NAME = 'angular-app';

const WEATHER = [
  { city: 'Lisbon', temp: 21 },
  { city: 'Oslo', temp: 4 },
  { city: 'Nairobi', temp: 25 },
];

describe('a zoneless Angular app (standalone components, JIT-compiled) using iii-rx/angular in Chromium', () => {
  let engine: EmbeddedEngine;
  let nodeWorker: Worker;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    engine = await startEngine({ port: 0, host: '127.0.0.1' });
    nodeWorker = connectWorker(engine.url, { workerName: 'node-side' });
    nodeWorker.registerFunction('math::add', (input: { a: number; b: number }) => input.a + input.b);
    nodeWorker.registerFunction('node::weather', () => from(WEATHER), { stream: true });
    await firstValueFrom(nodeWorker.state$.pipe(filter((s) => s === 'open')));
    server = await servePages({ app: await bundlePage(join(__dirname, 'page/angularApp.ts')) });
    browser = await launchChromium();
    ({ page, problems } = await openPage(browser, `${server.url}app.html`, 'startAngularApp'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await nodeWorker?.close();
    await engine?.close();
  });

  it('renders the connection state, a call, the runtime and a channel stream from signals, and saves a screenshot', async () => {
    await page.evaluate(([url, name]) => window.startAngularApp(url, name), [engine.url, APP_WORKER_NAME]);
    const text = (id: string) => page.locator(`[data-testid="${id}"]`).innerText();
    await page.locator('[data-testid="sum"]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="feed-status"]')?.textContent === 'done');
    await page.waitForFunction(() => document.querySelector('[data-testid="runtime"]')?.textContent !== '…');

    expect(await text('state')).toBe('open');
    expect(await text('sum')).toBe('5');
    expect(await text('runtime')).toBe('browser');
    expect((await text('feed')).split('\n')).toEqual(['Lisbon: 21 °C', 'Oslo: 4 °C', 'Nairobi: 25 °C']);
    expect(engine.listWorkers().filter((w) => w.name === APP_WORKER_NAME)).toHaveLength(1);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('closes its worker when the app is destroyed', async () => {
    expect(await page.evaluate(() => window.stopAngularApp())).toBe('closed');
    await firstValueFrom(
      nodeWorker.trigger<{ workers: { name?: string }[] }>('engine::workers::list', {}).pipe(
        filter((r) => !r.workers.some((w) => w.name === APP_WORKER_NAME)),
      ),
      { defaultValue: undefined },
    );
    expect(engine.listWorkers().filter((w) => w.name === APP_WORKER_NAME)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
