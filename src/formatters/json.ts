import type { Formatter } from './types.js';

/** ESLint's `json` output: the results array as one line of JSON. */
export const json: Formatter = (results) => JSON.stringify(results);
