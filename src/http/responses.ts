import type { z } from 'zod';

/** A JSON response declaration with its description, for validation, serialization and OpenAPI. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}
