/**
 * apache-arrow, loaded from its single-file build. The package's ESM entry is ~150 modules, which took
 * 63-69 ms to load on every start; the bundled build of the same version takes 11-13 ms. Every arrow
 * object in threadsift must come from here: classes from two copies of the library are not
 * interchangeable (`instanceof`, static helpers). Types come from `import type ... from 'apache-arrow'`,
 * which loads nothing at run time.
 */
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';

// The export map sends `require('apache-arrow/X')` to `./X.js`: here the UMD bundle.
const arrow = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof Arrow;

export default arrow;
