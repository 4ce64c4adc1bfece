// The authentication API other modules use: `preParsing: requireScope('write')` on a route that writes, and
// apiKeyOf(request) for the key (its name is the actor recorded in the audit log).
export { apiKeyOf, authentication, requireScope } from './plugin.js';
export { type ApiKeyIdentity, type ApiKeyListing, authenticateHeader, createApiKey, listApiKeys, revokeApiKey } from './keys.js';
