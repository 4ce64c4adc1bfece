import { type MessagePort, Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running the module at `url`. Under tsx (`npm run dev`, `npm run import`, the benches), whose hooks
 * a worker does not inherit, a TypeScript module is loaded after registering them in the thread.
 */
export function startWorker(url: URL, options: WorkerOptions): Worker {
  const tsx = url.pathname.endsWith('.ts') && process.execArgv.some((arg) => /(^|[=\s])tsx$/.test(arg));
  const boot = `import('tsx/esm/api').then(({ register }) => register()).then(() => import(${JSON.stringify(url.href)}))`;
  return new Worker(tsx ? boot : url, { ...options, eval: tsx });
}

/** A thread's worker and port keep the process alive (`on`), or no longer do (either may be gone already). */
export function holdProcess(on: boolean, ...handles: (Worker | MessagePort | undefined)[]): void {
  for (const handle of handles) {
    if (on) handle?.ref();
    else handle?.unref();
  }
}
