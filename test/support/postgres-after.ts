import { runHome, stopCluster } from './postgres.js';

// tap's `after` script (package.json): stops and deletes the PostgreSQL cluster the run's test files shared,
// whether they passed or failed. It runs as the tap runner's child, as the test files did.
await stopCluster(runHome(process.ppid));
