// A real Angular app in Chromium: standalone components whose templates the Angular compiler compiles in the
// page (JIT), bootstrapped zoneless with `bootstrapApplication`, using iii-rx/angular from the built browser bundle
// (spec/browser/browserHarness.ts redirects lib/angular/index to dist/browser/angular.js).
import '@angular/compiler';
import { ApplicationRef, Component, computed, inject, InjectionToken, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { first, scan, switchMap } from 'rxjs';
import { IiiRxService, provideIiiRx, toStreamResource } from '../../../lib/angular/index';

/** The name the app's worker registers with (given by the test), to find it in `engine::workers::list`. */
const WORKER_NAME = new InjectionToken<string>('WORKER_NAME');

declare global {
  interface Window {
    startAngularApp(engineUrl: string, workerName: string): Promise<void>;
    stopAngularApp(): Promise<string>;
  }
}

@Component({
  selector: 'iii-status',
  template: `<p>Connection: <b data-testid="state">{{ iii.state() }}</b></p>`,
})
class StatusComponent {
  readonly iii = inject(IiiRxService);
}

@Component({
  selector: 'iii-sum',
  template: `
    @if (sum.isLoading()) {
      <p>adding…</p>
    } @else {
      <p>math::add on the Node worker: 2 + 3 = <b data-testid="sum">{{ sum.value() }}</b></p>
    }
  `,
})
class SumComponent {
  readonly sum = inject(IiiRxService).triggerResource<number>('math::add', { a: 2, b: 3 });
}

interface WorkerEntry {
  name?: string;
  runtime?: string;
}

@Component({
  selector: 'iii-runtime',
  template: `<p>The engine lists this page as runtime <b data-testid="runtime">{{ runtime() ?? '…' }}</b></p>`,
})
class RuntimeComponent {
  private readonly name = inject(WORKER_NAME);
  private readonly iii = inject(IiiRxService);
  // asked once open: the worker describes itself (engine::workers::register) right after the calls queued before
  private readonly listed = toStreamResource(
    this.iii.state$.pipe(
      first((s) => s === 'open'),
      switchMap(() => this.iii.trigger<{ workers: WorkerEntry[] }>('engine::workers::list', {})),
    ),
  );
  readonly runtime = computed(() => this.listed.value()?.workers.find((w) => w.name === this.name)?.runtime);
}

@Component({
  selector: 'iii-feed',
  template: `
    <p>Values streamed by Node through a channel, <code>iii.stream()</code> (<span data-testid="feed-status">{{ feed.status() }}</span>):</p>
    <ol data-testid="feed">
      @for (v of feed.value(); track $index) {
        <li>{{ v.city }}: {{ v.temp }} °C</li>
      }
    </ol>
  `,
})
class FeedComponent {
  private readonly iii = inject(IiiRxService);
  readonly feed = toStreamResource(
    this.iii
      .stream<{ city: string; temp: number }>('node::weather', {})
      .pipe(scan((all, v) => [...all, v], [] as { city: string; temp: number }[])),
  );
}

@Component({
  selector: 'iii-app',
  imports: [StatusComponent, SumComponent, RuntimeComponent, FeedComponent],
  template: `
    <h1>iii-rx in an Angular app</h1>
    <iii-status />
    <iii-sum />
    <iii-runtime />
    <iii-feed />
  `,
  styles: [':host { display: block; font: 16px system-ui, sans-serif; margin: 24px; } b { color: #0b5; }'],
})
class AppComponent {}

let app: ApplicationRef | undefined;

window.startAngularApp = async (engineUrl: string, workerName: string): Promise<void> => {
  document.body.innerHTML = '<iii-app></iii-app>';
  app = await bootstrapApplication(AppComponent, {
    providers: [
      provideZonelessChangeDetection(),
      { provide: WORKER_NAME, useValue: workerName },
      provideIiiRx({ url: engineUrl, worker: { workerName } }),
    ],
  });
};

/** Destroys the app (which closes its worker) and reports the worker's final state. */
window.stopAngularApp = async (): Promise<string> => {
  if (!app) return 'not started';
  const iii = app.injector.get(IiiRxService);
  app.destroy();
  await iii.close();
  return iii.worker.state;
};
