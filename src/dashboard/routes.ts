import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../http/problem.js';
import { namePlugins } from '../http/plugin-name.js';

/** Where `npm run build:dashboard` (run by `npm install`) writes the page. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

// The page loads its own script, style and the API from this origin, and nothing else.
const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join(';');

/** A built file named after its content: app-<hash>.js (its map and legal notice), app-<hash>.css. */
const HASHED = /\/app-[A-Za-z0-9]{8,}\.(js|css)(\.map|\.LEGAL\.txt)?$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The NGO dashboard (`/dashboard/`): static files built from dashboard/, served by us (no CDN). */
export async function dashboardRoutes(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? DASHBOARD_DIR;
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    return payload;
  });
  if (!existsSync(`${root}/index.html`)) {
    const notBuilt = async () => {
      throw new HttpProblem(503, 'The dashboard is not built: run `npm run build:dashboard` (npm install runs it).');
    };
    app.get('/dashboard', { schema: { hide: true } }, notBuilt);
    app.get('/dashboard/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  // The script and stylesheet are named after their content (scripts/build-dashboard.ts): kept for good, never asked
  // again. The page names them, so it is asked each time, and its ETag makes that a 304 until a new build.
  await app.register(fastifyStatic, {
    root,
    prefix: '/dashboard/',
    index: 'index.html',
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply, path) => void reply.header('cache-control', HASHED.test(path) ? IMMUTABLE : 'no-cache'),
  });
  // The page's links are relative (app.js, ../v1/), so that they hold under a proxy's prefix (/api/dashboard/): the
  // page is served from its folder, and /dashboard sends the browser there, relatively too, its query kept.
  // (The router takes /dashboard/ for /dashboard: ignoreTrailingSlash.)
  app.get('/dashboard', { schema: { hide: true } }, (request, reply) => {
    const query = request.url.indexOf('?');
    const path = query < 0 ? request.url : request.url.slice(0, query);
    if (path.endsWith('/')) return reply.sendFile('index.html');
    return reply.redirect(`dashboard/${query < 0 ? '' : request.url.slice(query)}`, 302);
  });
}

namePlugins(dashboardRoutes);
