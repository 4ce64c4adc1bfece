import type { Operation } from '../fuzz/spec.js';
import type { RealValues } from './values.js';

// The stateful sequences: each writable resource's record created, read, changed, labelled or linked, deleted,
// seen in the change feed and restored, with and without keys and preconditions. Each step says what status
// the document's promise and the record's state ask for.

export interface Step {
  label: string;
  method: Operation['method'] | 'HEAD';
  /** The path, `{id}` replaced by the record's id. */
  path: string;
  /** The ETag sent in If-Match: the current one, one the record no longer has, or none. */
  ifMatch?: 'current' | 'stale' | '*';
  ifNoneMatch?: 'current' | '*';
  key?: false;
  body?: 'create' | 'patch';
  idempotencyKey?: string;
  status: number;
  /** The step changes the record: its answer's ETag is the current one from now on. */
  writes?: boolean;
}

export interface Sequence {
  resource: string;
  create: Record<string, unknown>;
  patch: Record<string, unknown>;
  /** The label or link a record of the resource takes (PUT, then DELETE): its path after /v1/<resource>/{id}. */
  label?: string;
}

/** The sequences: openapi.yaml's example of each create under an id of its own, and a patch that changes it. */
export function sequences(examples: (operationId: string) => Record<string, unknown>, real: RealValues): Sequence[] {
  const recommendation: Record<string, unknown> = { ...examples('createRecommendation'), id: 'KGZ-3-conformance-1' };
  const unlabelled = real['id:themes']!.find((theme) => !(recommendation.themes as string[]).includes(theme))!;
  return [
    {
      resource: 'recommendations',
      create: recommendation,
      patch: { text: 'Release the human rights defender Azimjon Askarov immediately.' },
      label: `/themes/${unlabelled}`,
    },
    {
      resource: 'states',
      create: { ...examples('createState'), id: 'XZZ', name: 'Zedland', aliases: ['Zed Republic'] },
      patch: { aliases: ['Zed Republic', 'Zedland Republic'] },
    },
    { resource: 'reviews', create: { ...examples('createReview'), cycle: 4, session: 47 }, patch: { reportSymbol: 'A/HRC/99/9' } },
    {
      resource: 'developments',
      create: { ...examples('createDevelopment'), id: 'kgz-conformance-development' },
      patch: examples('updateDevelopment'),
      label: `/recommendations/${real['id:recommendations']![0]}`,
    },
    {
      resource: 'statements',
      create: { ...examples('createStatement'), id: 'kgz-conformance-statement' },
      patch: { summary: 'Called for the immediate release of the human rights defender Azimjon Askarov.' },
    },
    {
      resource: 'assessments',
      create: { ...examples('createAssessment'), id: 'kgz-conformance-assessment' },
      patch: { assessedOn: '2020-10-01' },
    },
  ];
}

/** The steps of one sequence, in order. */
export function steps(sequence: Sequence): Step[] {
  const collection = `/v1/${sequence.resource}`;
  const record = `${collection}/{id}`;
  const idempotencyKey = `conformance-${sequence.resource}`;
  const labelSteps: Step[] = sequence.label
    ? [
        { label: 'label without If-Match (optional there)', method: 'PUT', path: `${record}${sequence.label}`, status: 200, writes: true },
        { label: 'label again, stale If-Match', method: 'PUT', path: `${record}${sequence.label}`, ifMatch: 'stale', status: 412 },
        { label: 'unlabel', method: 'DELETE', path: `${record}${sequence.label}`, ifMatch: 'current', status: 200, writes: true },
        { label: 'unlabel without a key', method: 'DELETE', path: `${record}${sequence.label}`, key: false, status: 401 },
      ]
    : [];
  return [
    { label: 'create without a key', method: 'POST', path: collection, body: 'create', key: false, status: 401 },
    { label: 'create', method: 'POST', path: collection, body: 'create', idempotencyKey, status: 201, writes: true },
    { label: 'create again, same Idempotency-Key', method: 'POST', path: collection, body: 'create', idempotencyKey, status: 201 },
    { label: 'create again, no Idempotency-Key', method: 'POST', path: collection, body: 'create', status: 409 },
    { label: 'read', method: 'GET', path: record, status: 200 },
    { label: 'read, If-None-Match current', method: 'GET', path: record, ifNoneMatch: 'current', status: 304 },
    { label: 'HEAD, If-None-Match current', method: 'HEAD', path: record, ifNoneMatch: 'current', status: 304 },
    { label: 'patch without a key', method: 'PATCH', path: record, body: 'patch', ifMatch: 'current', key: false, status: 401 },
    { label: 'patch without If-Match', method: 'PATCH', path: record, body: 'patch', status: 428 },
    { label: 'patch, stale If-Match', method: 'PATCH', path: record, body: 'patch', ifMatch: 'stale', status: 412 },
    { label: 'patch, If-None-Match current', method: 'PATCH', path: record, body: 'patch', ifMatch: '*', ifNoneMatch: 'current', status: 412 },
    { label: 'patch', method: 'PATCH', path: record, body: 'patch', ifMatch: 'current', status: 200, writes: true },
    { label: 'read after patch', method: 'GET', path: record, status: 200 },
    ...labelSteps,
    { label: 'history', method: 'GET', path: `${record}/history`, status: 200 },
    { label: 'delete, stale If-Match', method: 'DELETE', path: record, ifMatch: 'stale', status: 412 },
    { label: 'delete without If-Match', method: 'DELETE', path: record, status: 428 },
    { label: 'delete', method: 'DELETE', path: record, ifMatch: 'current', status: 204 },
    { label: 'read deleted', method: 'GET', path: record, status: 404 },
    { label: 'delete deleted', method: 'DELETE', path: record, ifMatch: '*', status: 404 },
    { label: 'patch deleted', method: 'PATCH', path: record, body: 'patch', ifMatch: '*', status: 404 },
    { label: 'history of the deleted', method: 'GET', path: `${record}/history`, status: 200 },
    { label: 'restore', method: 'POST', path: collection, body: 'create', status: 201, writes: true },
    { label: 'read restored', method: 'GET', path: record, status: 200 },
  ];
}
