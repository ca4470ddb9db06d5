// First step of `npm run build`: removes dist/, so that no file of an earlier build (a module since deleted or
// moved) ends up in the published tarball.
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist'), { recursive: true, force: true });
