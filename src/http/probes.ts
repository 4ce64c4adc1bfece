/**
 * The probes an orchestrator polls (src/health/routes.ts): not rate-limited, logged at debug, and they read nothing
 * that commits, so no checkpoint is asked after them.
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);
