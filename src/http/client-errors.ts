import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { type Problem, PROBLEM_CONTENT_TYPE, problemTitle } from './problem.js';

// What Node's HTTP parser refuses before a request exists (no route, no hook, no error handler runs): a request
// line and headers beyond the parser's limit (431), bytes that are not HTTP (400), a request not received within
// REQUEST_TIMEOUT_MS (408). Fastify answered these with a JSON body of its own ({"error": …}, not a problem), and
// without "Connection: close", though it closes the connection: a client that kept it alive sent its next request
// into a closed socket. Answered here as every other refusal is, then the connection is closed.

type ConnectionError = Parameters<NonNullable<FastifyServerOptions['clientErrorHandler']>>[0];

function problemOf(error: ConnectionError): Problem {
  const problem = (status: number, detail: string): Problem => ({ type: 'about:blank', title: problemTitle(status), status, detail });
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return problem(
      431,
      `The request line and headers together are longer than the ${maxHeaderSize} bytes the server reads: shorten the URL (fewer or shorter query parameters) or the headers.`,
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return problem(408, 'The whole request was not received in time (REQUEST_TIMEOUT_MS): send it again, faster.');
  }
  const reason = (error as { reason?: unknown }).reason;
  return problem(400, `The request is not well-formed HTTP/1.1${typeof reason === 'string' ? ` (${reason})` : ''}.`);
}

/** Fastify's clientErrorHandler: a problem for what the HTTP parser refused, and the connection closed. */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Not into a response already begun (a request timing out while its pipelined predecessor is answered).
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const problem = problemOf(error);
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
