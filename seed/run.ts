import { loadEnv } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';
import { applySeed } from './apply.js';

// `npm run seed`: migrates the database and adds whatever seed records it lacks.
const env = loadEnv(process.env);
const db = openDatabase(env.DATABASE_PATH, { seed: false });
const { inserted } = applySeed(db);
db.$client.close();
console.log(`${env.DATABASE_PATH}: ${inserted} seed rows inserted${inserted === 0 ? ' (already up to date)' : ''}.`);
