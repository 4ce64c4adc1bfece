import SwaggerParser from '@apidevtools/swagger-parser';
import type { JsonSchema } from './arbitraries.js';

// The operations of openapi.yaml, dereferenced, in the shape the fuzzer needs.

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface MediaTypes {
  [contentType: string]: { schema?: JsonSchema };
}

export interface Operation {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  parameters: Parameter[];
  body?: { required: boolean; content: MediaTypes };
  responses: Record<string, { content?: MediaTypes }>;
  secured: boolean;
}

export async function loadOperations(file: string): Promise<Operation[]> {
  const api = (await SwaggerParser.dereference(file)) as {
    paths: Record<string, Record<string, any>>;
    security?: unknown[];
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(api.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const security = (op.security ?? api.security ?? []) as Record<string, unknown>[];
      operations.push({
        id: op.operationId,
        method: method.toUpperCase() as Operation['method'],
        path,
        parameters: (op.parameters ?? []).map((p: any) => ({
          name: p.name,
          in: p.in,
          required: Boolean(p.required),
          schema: p.schema ?? {},
        })),
        body: op.requestBody ? { required: Boolean(op.requestBody.required), content: op.requestBody.content } : undefined,
        responses: op.responses,
        secured: security.some((s) => Object.keys(s).length > 0),
      });
    }
  }
  return operations;
}
