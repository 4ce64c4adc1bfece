import formats from 'ajv-formats';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema } from './arbitraries.js';

// A value checked against a schema of openapi.yaml (Ajv, formats included): the fuzzer's and the conformance test's.

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
// ajv-formats is CommonJS: its function is the module itself.
(formats as unknown as typeof formats.default)(ajv);
const validators = new Map<JsonSchema, ReturnType<typeof ajv.compile>>();

/** null when `value` is valid against `schema`, else what is wrong (each schema compiled once). */
export function validate(schema: JsonSchema, value: unknown): string | null {
  let validator = validators.get(schema);
  if (!validator) {
    validator = ajv.compile(schema);
    validators.set(schema, validator);
  }
  return validator(value) ? null : ajv.errorsText(validator.errors);
}
