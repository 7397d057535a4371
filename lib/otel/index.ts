/**
 * `resilient-axios/otel`: OpenTelemetry traces and metrics for a
 * `ResilientClient`. Needs the optional peer `@opentelemetry/api` (>= 1.7);
 * uses the API only, so it runs wherever the core does.
 *
 * @example
 * import { ResilientClient } from 'resilient-axios';
 * import { instrument } from 'resilient-axios/otel';
 *
 * const client = new ResilientClient({ baseURL: 'https://payments.internal' });
 * const telemetry = instrument(client); // the global tracer and meter providers
 * // ... later
 * telemetry.uninstrument();
 */
export { instrument, SCOPE } from './instrument.js';
export type { InstrumentOptions, Instrumentation } from './instrument.js';
export { MAX_CIRCUIT_KEYS } from './call-metrics.js';
