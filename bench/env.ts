/**
 * Import first. tsx turns on source-mapped stack traces, which makes every
 * `err.stack` read (axios reads it on every rejection, to append the caller's
 * stack) several times slower than in a compiled deployment. Users run the
 * built JavaScript, usually without --enable-source-maps: measure that.
 */
process.setSourceMapsEnabled(false);
