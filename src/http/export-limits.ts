import type { Readable } from 'node:stream';
import type { ResolvedConfig } from '../config.js';
import { HttpProblem } from './problem.js';

// Bounds on streamed exports. A slow reader holds a connection, a file handle and a read snapshot (which
// pins the WAL: no checkpoint can pass what the snapshot may still read) for as long as it reads. So at most
// MAX_CONCURRENT_EXPORTS stream at once (one more is a 503 with Retry-After), and one export may run for at
// most EXPORT_MAX_SECONDS: then its connection is ended and its snapshot released.

declare module 'fastify' {
  interface FastifyInstance {
    exportLimits: ExportLimits;
  }
}

export class ExportLimits {
  private running = 0;

  constructor(
    private readonly config: Pick<ResolvedConfig, 'maxConcurrentExports' | 'exportMaxSeconds' | 'pressureRetryAfterSeconds'>,
  ) {}

  /** Streamed exports running now. */
  get active(): number {
    return this.running;
  }

  /**
   * Starts a streamed export within the limits: a 503 problem when all slots are taken (the stream is then
   * never made); else the stream, which frees its slot when it closes and is destroyed when it runs too long.
   */
  start<S extends Readable>(create: () => S): S {
    const { maxConcurrentExports, exportMaxSeconds, pressureRetryAfterSeconds } = this.config;
    if (this.running >= maxConcurrentExports) {
      throw new HttpProblem(
        503,
        `${maxConcurrentExports} exports are running, as many as this service streams at once; retry in ` +
          `${pressureRetryAfterSeconds} seconds, or ask for one page with limit.`,
        undefined,
        { 'retry-after': String(pressureRetryAfterSeconds) },
      );
    }
    const stream = create();
    this.running += 1;
    const timer = setTimeout(() => {
      stream.destroy(new HttpProblem(503, `The export ran for more than ${exportMaxSeconds} seconds and was ended.`));
    }, exportMaxSeconds * 1000);
    timer.unref();
    stream.once('close', () => {
      clearTimeout(timer);
      this.running -= 1;
    });
    return stream;
  }
}
