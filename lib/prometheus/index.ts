/**
 * `resilient-axios/prometheus`: a `ResilientClient`'s metrics in a
 * prom-client registry. Needs the optional peer `prom-client` (>= 15); Node only.
 *
 * @example
 * import { register } from 'prom-client';
 * import { ResilientClient } from 'resilient-axios';
 * import { prometheusMetrics } from 'resilient-axios/prometheus';
 *
 * const payments = new ResilientClient({ baseURL: 'https://payments.internal' });
 * const metrics = prometheusMetrics(payments, { name: 'payments' });
 * // serve `await register.metrics()` on /metrics; later: metrics.unregister()
 */
export { prometheusMetrics } from './prometheus-metrics.js';
export type { PrometheusOptions, PrometheusMetrics } from './prometheus-metrics.js';
export { DURATION_BUCKETS, MAX_CIRCUIT_KEYS } from './families.js';
