import { buildApp } from '../app.js';

/** The OpenAPI document the code describes, as committed in openapi.yaml. */
export async function generateOpenApiYaml(): Promise<string> {
  const app = await buildApp({ databasePath: ':memory:', logLevel: 'silent' });
  try {
    await app.ready();
    return app.swagger({ yaml: true });
  } finally {
    await app.close();
  }
}
