import t from 'tap';
import { loadEnv } from '../src/config.js';

t.test('defaults work with an empty environment', async (t) => {
  t.same(loadEnv({}), { PORT: 3000, HOST: '127.0.0.1', DATABASE_PATH: './data/upr-tracker.sqlite', LOG_LEVEL: 'info' });
});

t.test('values are read and coerced', async (t) => {
  const env = loadEnv({ PORT: '8080', HOST: '0.0.0.0', DATABASE_PATH: '/tmp/x.sqlite', LOG_LEVEL: 'warn' });
  t.equal(env.PORT, 8080);
  t.equal(env.HOST, '0.0.0.0');
  t.equal(env.DATABASE_PATH, '/tmp/x.sqlite');
  t.equal(env.LOG_LEVEL, 'warn');
});

t.test('invalid values stop start-up with a message naming each', async (t) => {
  t.throws(() => loadEnv({ PORT: 'eighty' }), { name: 'ConfigError' });
  t.throws(() => loadEnv({ PORT: '70000' }), /PORT/);
  t.throws(() => loadEnv({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  t.throws(() => loadEnv({ HOST: '' }), /HOST/);
  const error = t.throws(() => loadEnv({ PORT: '-1', LOG_LEVEL: 'loud' })) as Error;
  t.match(error.message, /PORT[\s\S]*LOG_LEVEL/);
});
