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
 * Bundles a page script for the browser. Imports of `lib/index` and `lib/angular/index` are redirected to the built
 * browser bundle (`dist/browser/*.js`), so the page runs exactly what the package publishes for browsers.
 */
export async function bundlePage(entry: string): Promise<string> {
  const built = join(root, 'dist/browser/index.js');
  const builtAngular = join(root, 'dist/browser/angular.js');
  if (!existsSync(built) || !existsSync(builtAngular)) {
    throw new Error('dist/browser is missing: run `npm run build` first');
  }
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
            b.onResolve({ filter: /lib\/angular\/index$/ }, () => ({ path: builtAngular }));
          },
        },
      ],
    });
    return result.outputFiles[0].text;
  } finally {
    await stop();
  }
}

/** A loopback HTTP server with one page per script: `/<name>.html` loads `/<name>.js` as a module. */
export async function servePages(scripts: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const html = (name: string) =>
    '<!doctype html><html><head><meta charset="utf-8"><title>iii-rx</title></head><body>' +
    `<script type="module" src="/${name}.js"></script></body></html>`;
  const server: Server = createServer((req, res) => {
    const m = /^\/([\w-]+)\.(html|js)$/.exec(req.url ?? '');
    if (m && scripts[m[1]] !== undefined) {
      if (m[2] === 'html') res.writeHead(200, { 'content-type': 'text/html' }).end(html(m[1]));
      else res.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[m[1]]);
    } else if (req.url === '/favicon.ico') res.writeHead(204).end();
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

/** Launches headless Chromium. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Opens `url` in a new page, collecting console errors and page errors, and waits until `global` is defined. */
export async function openPage(browser: Browser, url: string, global: string): Promise<{ page: Page; problems: string[] }> {
  const problems: string[] = [];
  const page = await browser.newPage();
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction((name) => typeof (window as unknown as Record<string, unknown>)[name] === 'function', global);
  return { page, problems };
}
