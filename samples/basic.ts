/**
 * Kept for old links: the same as `first-call.ts` (a backend answering 503
 * twice, then 200, and the client retrying through it).
 *
 * Run: npm run sample -- basic   (or npm run sample -- first-call)
 */
import './first-call.js';
