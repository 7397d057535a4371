/**
 * Model-based test: random sequences of acquire / release / clock moves / reads against a
 * breaker, checking its invariants after every step.
 */
import fc from 'fast-check';
import { CircuitBreaker } from '../../lib/breaker/circuit-breaker.js';
import type { BreakerOptions, BreakerOutcome, CircuitState } from '../../lib/breaker/circuit-breaker.js';
import type { TripRuleOptions } from '../../lib/breaker/trip-rules.js';

type Command =
  | { readonly kind: 'acquire' }
  | { readonly kind: 'release'; readonly pick: number; readonly outcome: BreakerOutcome }
  /** Moves the clock; `thenAcquire`: acquires at once, before the invariant checks read the breaker. */
  | { readonly kind: 'advance'; readonly ms: number; readonly thenAcquire: boolean }
  | { readonly kind: 'read'; readonly what: 'state' | 'remainingMs' | 'stats' };

const ALLOWED = new Set(['CLOSED>OPEN', 'OPEN>HALF_OPEN', 'HALF_OPEN>OPEN', 'HALF_OPEN>CLOSED']);

const consecutiveArb: fc.Arbitrary<TripRuleOptions> = fc.record({
  type: fc.constant('consecutive' as const),
  failures: fc.integer({ min: 1, max: 4 }),
});

const rateArb: fc.Arbitrary<TripRuleOptions> = fc.record({
  type: fc.constant('rate' as const),
  threshold: fc.constantFrom(0.2, 0.5, 0.75, 1),
  minimumCalls: fc.integer({ min: 1, max: 6 }),
  windowMs: fc.constantFrom(5, 100, 1000, 5000),
});

const optionsArb = (trip: fc.Arbitrary<TripRuleOptions>): fc.Arbitrary<BreakerOptions> =>
  fc.record({
    trip,
    openMs: fc.constantFrom(1, 50, 1000),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 4 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
  });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'acquire' as const }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom<BreakerOutcome>('success', 'failure', 'failure', 'ignore'),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.nat(60), fc.nat(3000)),
      thenAcquire: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('read' as const), what: fc.constantFrom('state', 'remainingMs', 'stats') }), weight: 1 },
);

interface Outstanding {
  readonly permit: number;
  /** Model generation (transitions so far) when it was granted: stale once another transition happened. */
  readonly generation: number;
}

/** Throws (cheaper than `expect` in a loop of thousands; fast-check shrinks and reports the case). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant broken: ${what}`);
}

/**
 * A reference model of the breaker, written from the spec, plus the invariants. The trip
 * decision of a rate rule is taken from the breaker (the rule has its own unit tests), but
 * only a failure of a current CLOSED permit may open it.
 */
function run(options: BreakerOptions, commands: readonly Command[], tally: Map<string, number>): void {
  const count = (what: string): void => void tally.set(what, (tally.get(what) ?? 0) + 1);
  const clock = { t: 1000, now() { return this.t; } };
  const transitions: string[] = [];
  let observed: CircuitState = 'CLOSED';
  const moveTo = (to: CircuitState): void => {
    transitions.push(`${observed}>${to}`);
    observed = to;
  };
  const breaker: CircuitBreaker = new CircuitBreaker('model', options, clock, {
    onOpen: (b, failures) => {
      check(b === breaker && failures >= 1, 'onOpen arguments');
      moveTo('OPEN');
    },
    onHalfOpen: () => moveTo('HALF_OPEN'),
    onClose: () => moveTo('CLOSED'),
  });
  // The model.
  let state: CircuitState = 'CLOSED';
  let generation = 0;
  let openedAt = 0;
  let run = 0; // consecutive failures (consecutive rule)
  let trialSuccesses = 0;
  const outstanding: Outstanding[] = [];
  const trials = (): number => (state === 'HALF_OPEN' ? outstanding.filter((o) => o.generation === generation).length : 0);
  const enter = (to: CircuitState): void => {
    check(ALLOWED.has(`${state}>${to}`), `transition ${state}>${to}`);
    count(`${state}>${to}`);
    state = to;
    generation++;
    if (to === 'OPEN') openedAt = clock.now();
    if (to === 'HALF_OPEN') trialSuccesses = 0;
    if (to === 'CLOSED') run = 0;
  };
  /** Lazy OPEN -> HALF_OPEN, as any use or read of the breaker does. */
  const refresh = (): void => {
    if (state === 'OPEN' && clock.now() >= openedAt + options.openMs) enter('HALF_OPEN');
  };

  const acquire = (): void => {
    refresh();
    const expected = state === 'CLOSED' || (state === 'HALF_OPEN' && trials() < options.halfOpenMaxCalls);
    const permit = breaker.acquire();
    check(permit >= 0 === expected, `acquire ${state}: expected ${expected ? 'a permit' : 'a refusal'}, got ${permit}`);
    if (permit >= 0) outstanding.push({ permit, generation });
    else count(`refused in ${state}`);
  };

  const release = (pick: number, outcome: BreakerOutcome): void => {
    if (outstanding.length === 0) return;
    const index = pick % outstanding.length;
    const [granted] = outstanding.splice(index, 1);
    if (granted === undefined) return;
    const changesBefore = transitions.length;
    breaker.release(granted.permit, outcome);
    const changed = transitions.length > changesBefore;
    const current = granted.generation === generation;
    if (!current) count('stale release');
    if (!current || outcome === 'ignore') {
      check(!changed, 'a stale or ignored release changed the state');
    } else if (state === 'HALF_OPEN') {
      if (outcome === 'failure') enter('OPEN');
      else if (++trialSuccesses >= options.successThreshold) enter('CLOSED');
    } else {
      run = outcome === 'failure' ? run + 1 : 0;
      const trips = options.trip.type === 'consecutive' ? run >= options.trip.failures : changed;
      check(!trips || outcome === 'failure', 'a success opened the breaker');
      if (trips) enter('OPEN');
    }
  };

  const checkInvariants = (): void => {
    const stats = breaker.stats(); // first: it may move OPEN -> HALF_OPEN, as the model just did
    check(observed === state, `observed ${observed}, model ${state}`);
    check(transitions.every((t) => ALLOWED.has(t)), 'observed transitions are allowed');
    check(stats.state === state, `stats.state ${stats.state}, model ${state}`);
    check(stats.stateChanges === transitions.length && transitions.length === generation, 'stateChanges');
    check(stats.calls === stats.successes + stats.failures + stats.ignored + outstanding.length, 'calls add up');
    check(trials() <= options.halfOpenMaxCalls && breaker.trialsInFlight === trials(), 'trials in flight');
    const remaining = state === 'OPEN' ? openedAt + options.openMs - clock.now() : 0;
    check(breaker.remainingMs() === remaining, `remainingMs in ${state}`);
    check(state !== 'OPEN' || (remaining > 0 && stats.openedAt === openedAt), 'OPEN: time left, openedAt');
  };

  for (const command of commands) {
    const changesBefore = transitions.length;
    if (command.kind === 'acquire') acquire();
    else if (command.kind === 'release') release(command.pick, command.outcome);
    else if (command.kind === 'advance') {
      clock.t += command.ms;
      check(transitions.length === changesBefore, 'time alone changed the state (a timer?)');
      if (command.thenAcquire) acquire();
    } else {
      refresh();
      if (command.what === 'state') check(breaker.state === state, 'state');
      else if (command.what === 'remainingMs') breaker.remainingMs();
      else breaker.stats();
    }
    refresh(); // checkInvariants reads the breaker, which may move OPEN -> HALF_OPEN
    checkInvariants();
  }
}

describe('CircuitBreaker model', () => {
  it.each([
    ['consecutive', consecutiveArb],
    ['rate', rateArb],
  ])('keeps its invariants under random use (%s rule)', (_name, trip) => {
    const tally = new Map<string, number>();
    fc.assert(
      fc.property(optionsArb(trip), fc.array(commandArb, { maxLength: 120, size: 'max' }), (options, commands) => {
        run(options, commands, tally);
      }),
      { numRuns: 200, seed: 0x5eed },
    );
    // The generator is not too tame: every transition and every kind of refusal happened.
    const kinds = [...ALLOWED, 'refused in OPEN', 'refused in HALF_OPEN', 'stale release'];
    expect(kinds.filter((kind) => (tally.get(kind) ?? 0) < 10)).toEqual([]);
  });
});
