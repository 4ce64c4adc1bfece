import { writeFileSync } from 'node:fs';
import { generateOpenApiYaml } from '../src/http/openapi-document.js';

// `npm run openapi`: regenerates the committed openapi.yaml from the route schemas.
const target = new URL('../openapi.yaml', import.meta.url);
writeFileSync(target, await generateOpenApiYaml());
console.log(`wrote ${target.pathname}`);
