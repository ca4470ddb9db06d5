import { build, stop } from 'esbuild';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';

const root = resolve(__dirname, '../..');

/** Chromium from Debian's `chromium` package; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Bundles a page script for the browser. Imports of `lib/index` are redirected to the built browser bundle
 * (`dist/browser/index.js`), so the page runs exactly what the package publishes for browsers.
 */
export async function bundlePage(entry: string): Promise<string> {
  const built = join(root, 'dist/browser/index.js');
  if (!existsSync(built)) throw new Error('dist/browser/index.js is missing: run `npm run build` first');
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['browser'],
      target: 'es2022',
      logLevel: 'silent',
      plugins: [
        {
          name: 'use-built-browser-bundle',
          setup(b) {
            b.onResolve({ filter: /lib\/index$/ }, () => ({ path: built }));
          },
        },
      ],
    });
    return result.outputFiles[0].text;
  } finally {
    await stop();
  }
}

/** A loopback HTTP server with one HTML page that loads `script` as a module. */
export async function servePage(script: string): Promise<{ url: string; close(): Promise<void> }> {
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>iii-rx</title></head><body>' +
    '<script type="module" src="/page.js"></script></body></html>';
  const server: Server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Launches headless Chromium and opens `url`, collecting console errors and page errors. */
export async function openPage(url: string): Promise<{ browser: Browser; page: Page; problems: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => typeof (window as { runScenario?: unknown }).runScenario === 'function');
    return { browser, page, problems };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
