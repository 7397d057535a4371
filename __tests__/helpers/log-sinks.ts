/**
 * Every way a user is told (or likely) to log a rejection, with the real
 * libraries, each captured as text: pino's default serializers, winston's
 * `format.errors()` + `format.json()`, Node's `util.inspect` and `console`,
 * `JSON.stringify`, `String`, `message` and `stack`.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';
import winston from 'winston';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }
}

const pinoOut = new Capture();
const pinoLogger = pino({ base: { pid: 12345, hostname: 'app-server-01.eu-west-1.internal' } }, pinoOut);
const winstonOut = new Capture();
const winstonLogger = winston.createLogger({
  format: winston.format.combine(winston.format.errors({ stack: true, cause: true }), winston.format.json()),
  transports: [new winston.transports.Stream({ stream: winstonOut })],
});
const consoleOut = new Capture();
const nodeConsole = new Console({ stdout: consoleOut, stderr: consoleOut });

/** The line pino writes for `log.error({ err }, msg)` with its default serializers. */
export function pinoLine(err: unknown): string {
  pinoLogger.error({ err }, 'call failed');
  return pinoOut.take();
}

/** What each sink wrote for `err`, by sink name. */
export async function renderInSinks(err: unknown): Promise<Record<string, string>> {
  const e = err as Error & { toJSON?: () => unknown };
  const out: Record<string, string> = {};
  pinoLogger.error({ err }, 'call failed');
  out['pino error({ err })'] = pinoOut.take();
  pinoLogger.error(err);
  out['pino error(err)'] = pinoOut.take();
  pinoLogger.error({ error: err }, 'call failed');
  out['pino error({ error })'] = pinoOut.take();
  winstonLogger.error(e);
  winstonLogger.error('call failed', e);
  winstonLogger.error('call failed', { error: e });
  await new Promise((resolve) => setImmediate(resolve));
  out['winston errors()+json()'] = winstonOut.take();
  nodeConsole.log(err);
  nodeConsole.error({ err });
  out['console.log'] = consoleOut.take();
  out['util.inspect'] = inspect(err);
  out['util.inspect showHidden getters'] = inspect(err, { showHidden: true, getters: true, depth: Infinity });
  out['JSON.stringify'] = JSON.stringify(err);
  out['err.toJSON()'] = JSON.stringify(typeof e.toJSON === 'function' ? e.toJSON() : undefined);
  out['String(err)'] = String(err);
  out['err.message'] = String(e.message);
  out['err.stack'] = String(e.stack);
  return out;
}

/** The sinks whose output is one log line per rejection (the 1.5 kB budget). */
export const PINO_LINES = ['pino error({ err })', 'pino error(err)'] as const;

/**
 * Every string reachable from `value` through own properties, enumerable or
 * not, symbol-keyed included, getters called: what a debugger or an
 * over-eager serializer could find.
 */
export function reachableStrings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    let v: unknown;
    try {
      v = (value as Record<PropertyKey, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof v !== 'function') out.push(...reachableStrings(v, seen));
  }
  return out;
}

/** What each sink wrote for an event payload handed to it as users do (`log.warn(e, 'retry')`). */
export async function renderPayloadInSinks(payload: Record<string, unknown>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  pinoLogger.warn(payload, 'call retried');
  out['pino warn(payload)'] = pinoOut.take();
  winstonLogger.warn('call retried', payload);
  await new Promise((resolve) => setImmediate(resolve));
  out['winston warn(msg, payload)'] = winstonOut.take();
  nodeConsole.log(payload);
  out['console.log'] = consoleOut.take();
  out['util.inspect showHidden getters'] = inspect(payload, { showHidden: true, getters: true, depth: Infinity });
  out['JSON.stringify'] = JSON.stringify(payload);
  return out;
}
