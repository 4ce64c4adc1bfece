// What one request can put in a log line is bounded: a 16 KB URL or Host header was logged whole on every
// request, and an error's message, stack and fields (a failed query's parameters: a body's text) without limit.

/** The most characters of one text (a URL, a Host header, a message) in a log line. */
export const LOG_TEXT_MAX = 2048;
/** The most characters of all the texts of one logged error, its fields and causes together. */
export const LOG_ERROR_BUDGET = 16_384;
/** The most items of an array, and fields of an object, in a logged error; the most levels of nesting. */
const LOG_ITEMS_MAX = 20;
const LOG_DEPTH_MAX = 4;

/** The text, or its first `max` characters and a marker that says how long it was. */
export function boundText(text: string, max = LOG_TEXT_MAX): string {
  if (text.length <= max) return text;
  // A cut between the two halves of a surrogate pair would leave half a character.
  const end = max > 0 && /[\ud800-\udbff]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}…[cut: ${text.length} characters]`;
}

interface Budget {
  left: number;
}

function boundValue(value: unknown, budget: Budget, depth: number): unknown {
  if (typeof value === 'string') {
    const kept = boundText(value, Math.max(budget.left, 0));
    budget.left -= Math.min(value.length, kept.length);
    return kept;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= LOG_DEPTH_MAX) return '…[cut: nested too deep]';
  if (value instanceof Error) return boundError(value, budget, depth);
  const entries = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  const kept = entries.slice(0, LOG_ITEMS_MAX).map(([key, item]) => [key, boundValue(item, budget, depth + 1)] as const);
  const cut = entries.length > LOG_ITEMS_MAX ? `…[cut: ${entries.length} in all]` : undefined;
  if (Array.isArray(value)) return cut ? [...kept.map(([, item]) => item), cut] : kept.map(([, item]) => item);
  return Object.fromEntries(cut ? [...kept, ['…', cut]] : kept);
}

function boundError(error: Error, budget: Budget, depth: number): Record<string, unknown> {
  // As pino's error serializer: the type, message and stack, then every enumerable field (a query's, a code).
  const fields: Record<string, unknown> = { type: error.constructor.name, message: error.message, stack: error.stack };
  for (const key in error) fields[key] ??= (error as unknown as Record<string, unknown>)[key];
  if (error.cause !== undefined) fields.cause = error.cause;
  return boundValue(fields, budget, depth) as Record<string, unknown>;
}

/** The log serializer of `err`: the error's texts, fields and causes together at most LOG_ERROR_BUDGET characters. */
export function errorForLog(error: Error): ErrorInLog {
  // (Typed as Fastify's serializer is; anything else logged as err is bounded the same way.)
  return boundValue(error, { left: LOG_ERROR_BUDGET }, 0) as ErrorInLog;
}

type ErrorInLog = { type: string; message: string; stack: string; [field: string]: unknown };

/**
 * pino's logMethod hook: a message given as text (Fastify's "Route GET:<url> not found", an error's message) is
 * bounded as the fields are.
 */
export function boundMessages(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void {
  method.apply(this, args.map((arg) => (typeof arg === 'string' ? boundText(arg) : arg)));
}
