import type { RouteOptions } from 'fastify';

// A HEAD answers the headers a GET answers (RFC 9110 §9.3.2). Fastify's HEAD route (exposeHeadRoutes) ends its
// onSend hooks with one that drops the body and sets Content-Length; hooks that onRoute added after it
// (@fastify/compress's, the ETag's coding suffix) then saw no body: a HEAD said `Content-Length: 2354` and no
// Content-Encoding, Vary or coded ETag where the GET said `Content-Encoding: gzip`, `Content-Length: 902`, the
// ETag `"…-gzip"` and `Vary: accept-encoding`. A cache that freshens a stored response from a HEAD (RFC 9111
// §4.3.5) took those headers to describe the gzip body it held.

/** Fastify's own onSend hook of a HEAD route (lib/head-route.js), found by its name. */
const HEAD_ON_SEND = 'headRouteOnSendHandler';

/** An `onRoute` hook to add after every hook that adds onSend hooks: on a HEAD route, Fastify's own comes last. */
export function headAsGet(route: RouteOptions): void {
  if (route.method !== 'HEAD' || !Array.isArray(route.onSend)) return;
  const hooks = route.onSend;
  const own = hooks.findIndex((hook) => hook.name === HEAD_ON_SEND);
  if (own >= 0) route.onSend = [...hooks.slice(0, own), ...hooks.slice(own + 1), hooks[own]!];
}
