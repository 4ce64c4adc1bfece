import { isDeepStrictEqual } from 'node:util';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import type { z } from 'zod';

/** A JSON response declaration with its description, for validation, serialization and OpenAPI. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

// Handlers shape their responses as the schemas say (a test proves it: see checkedSerializerCompiler), so
// responses are serialized as they are: zod's encode on every response cost more than the JSON itself. The
// zod response schemas still document the API (OpenAPI) and are checked in tests.

/**
 * A response body already encoded as JSON (a record, a list of stored documents), as text or as UTF-8
 * bytes: sent as it is.
 */
export class EncodedJson {
  constructor(readonly text: string | Buffer) {}
}

// Fastify's type says a serializer returns a string; a Buffer is sent as it is too (as a handler's is).
function jsonOf(data: unknown): string {
  return data instanceof EncodedJson ? (data.text as string) : JSON.stringify(data);
}

/** Serializes a response as the handler shaped it. */
export const jsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => jsonOf;

/** A route's zod response schema, as Fastify passes it: bare, or (declared per media type) as `properties`. */
function zodSchemaOf(schema: unknown): z.ZodType {
  return 'safeEncode' in (schema as object) ? (schema as z.ZodType) : (schema as { properties: z.ZodType }).properties;
}

/**
 * For tests: serializes as jsonSerializerCompiler does, but first encodes the response with its zod schema
 * and fails unless the result is the same JSON (no field the schema lacks or strips, none it transforms).
 */
export const checkedSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, method, url, httpStatus }) => {
  const zodSchema = zodSchemaOf(schema);
  return (data) => {
    const json = jsonOf(data);
    const plain: unknown = JSON.parse(json.toString());
    const encoded = zodSchema.safeEncode(data instanceof EncodedJson ? plain : data);
    if (!encoded.success || !isDeepStrictEqual(JSON.parse(JSON.stringify(encoded.data)), plain)) {
      const why = encoded.success ? `encodes to ${JSON.stringify(encoded.data).slice(0, 500)}` : encoded.error.message;
      throw new Error(`${method} ${url} ${httpStatus}: the response does not match its schema: ${why}`);
    }
    return json;
  };
};
