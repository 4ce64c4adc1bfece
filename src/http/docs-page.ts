import { readFile } from 'node:fs/promises';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';

// Swagger UI at /docs (@fastify/swagger-ui): its options, in one place. Its policy is in security-headers.ts.

let logo: Promise<{ type: string; content: Buffer }> | undefined;

/** swagger-ui's own logo, which it would read from its package at every registration: read once (not shown:
 * the base layout has no top bar). */
function swaggerUiLogo(): Promise<{ type: string; content: Buffer }> {
  logo ??= readFile(new URL('static/logo.svg', import.meta.resolve('@fastify/swagger-ui'))).then((content) => ({
    type: 'image/svg+xml',
    content,
  }));
  return logo;
}

/**
 * The page at /docs. The base layout, without Swagger UI's top bar: the bar's Swagger logo is an inline SVG
 * whose <style> the page's policy refuses (a console error at every load), its replacement image has no text
 * alternative, and its "Explore" box (unlabelled) fetches any URL, which the policy refuses for other origins.
 * Behind a proxy that strips PUBLIC_URL's path ("/api"), the page's files and "Try it out" go through it too.
 */
export async function docsPageOptions(publicUrl: string): Promise<FastifySwaggerUiOptions> {
  const publicPath = publicPathOf(publicUrl);
  return {
    routePrefix: '/docs',
    logo: await swaggerUiLogo(),
    theme: { title: 'upr-tracker API reference' },
    uiConfig: { layout: 'BaseLayout' },
    ...(publicPath === ''
      ? {}
      : {
          indexPrefix: publicPath,
          transformSpecification: (document) => underPublicPath(document, publicPath),
        }),
  };
}

/** The path of PUBLIC_URL ("/api" for https://upr.example.org/api, "" for none), as src/http/pagination.ts reads it. */
export function publicPathOf(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

/** The OpenAPI document as served under a public path: its server "/" (this instance) is that path, where "Try
 * it out" and generated clients send requests; the committed openapi.yaml keeps "/". */
export function underPublicPath<T extends object>(document: T, publicPath: string): T {
  if (publicPath === '') return document;
  const servers = (document as { servers: { url: string }[] }).servers;
  return { ...document, servers: servers.map((server) => (server.url === '/' ? { ...server, url: publicPath } : server)) };
}
