const DISPLAY_NAME = Symbol.for('fastify.display-name');

/**
 * Gives each plugin its own name as fastify's display name (as fastify-plugin does for the plugins it wraps).
 * Without one, fastify looks for the plugin, at every registration (twice), among the exports of every
 * CommonJS module loaded (require.cache: 500 in the server, more under a test runner) before it falls back to
 * the function's name: about 2 ms of CPU an app for the plugins here. The name is the same either way: ESM
 * modules are not in require.cache.
 */
export function namePlugins(...plugins: Array<(...args: never[]) => unknown>): void {
  for (const plugin of plugins) Object.assign(plugin, { [DISPLAY_NAME]: plugin.name });
}
