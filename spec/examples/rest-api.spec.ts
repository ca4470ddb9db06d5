import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { serveTodoApi } from '../../examples/rest-api';
import { startEngine } from '../../lib/engine';
import { startTestEngine, TestEngine } from '../../lib/testing';

describe('examples/rest-api in-process, through iii-rx/testing', () => {
  let t: TestEngine;

  beforeEach(async () => {
    t = await startTestEngine({ startTime: Date.parse('2026-12-01T09:00:30Z') });
  });

  afterEach(() => t.close());

  it('serves the todo routes, streams the export, and sweeps finished todos on the cron schedule', async () => {
    const worker = t.connectWorker({ workerName: 'todo-api' });
    serveTodoApi(worker);
    await t.sync(worker);

    expect((await t.request('POST', '/todos', { body: { title: ' ' } })).status).toBe(400);
    const milk = await t.request('POST', '/todos', { body: { title: 'milk' } });
    expect([milk.status, milk.headers.location, milk.json]).toEqual([201, '/todos/1', { id: 1, title: 'milk', done: false }]);
    await t.request('POST', '/todos', { body: { title: 'bread' } });
    expect((await t.request('PATCH', '/todos/1', { body: { done: true } })).json).toEqual({ id: 1, title: 'milk', done: true });
    expect((await t.request('GET', '/todos/2')).json).toEqual({ id: 2, title: 'bread', done: false });
    expect((await t.request('GET', '/todos/9')).status).toBe(404);
    expect((await t.request('GET', '/todos')).json).toHaveLength(2);

    const exported = await t.request('GET', '/todos/export');
    expect(exported.headers['content-type']).toBe('application/x-ndjson');
    expect(exported.text.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 1, title: 'milk', done: true },
      { id: 2, title: 'bread', done: false },
    ]);

    const sweep = await t.tickCron('todos::sweep');
    expect(sweep.outcome).toEqual({ result: { removed: 1 } });
    expect((await t.request('GET', '/stats')).json).toEqual({ open: 1, done: 0, lastSweep: '2026-12-01T09:01:00+00:00' });
    const deleted = await t.request('DELETE', '/todos/2');
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await t.request('GET', '/todos')).json).toEqual([]);
  });
});

describe('examples/rest-api as a program', () => {
  const out = join(__dirname, '..', '..', '.cache', 'examples-rest-api');
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  });

  it('runs unchanged against an engine given by III_URL and stops on SIGTERM', async () => {
    mkdirSync(out, { recursive: true });
    const file = join(out, 'rest-api.js');
    await build({
      entryPoints: [join(__dirname, '..', '..', 'examples', 'rest-api.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: file,
      packages: 'external',
      logLevel: 'silent',
    });
    const engine = await startEngine({ port: 0, http: { port: 0 } });
    try {
      const proc = spawn(process.execPath, [file], { env: { ...process.env, III_URL: engine.url }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let stdout = '';
      let stderr = '';
      proc.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('todo-api ready')) resolve();
        });
        proc.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const post = await fetch(`${engine.httpUrl}/todos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ title: 'from the program' }),
      });
      expect([post.status, await post.json()]).toEqual([201, { id: 1, title: 'from the program', done: false }]);
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    } finally {
      await engine.close();
    }
  });
});
