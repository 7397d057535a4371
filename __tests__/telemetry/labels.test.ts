import { CIRCUIT_STATE_VALUE, CappedValues, knownMethod, maxByCappedKey } from '../../lib/telemetry/labels.js';

test('knownMethod keeps the nine known methods and maps anything else to _OTHER', () => {
  for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']) expect(knownMethod(m)).toBe(m);
  expect(['PURGE', 'get', ''].map(knownMethod)).toEqual(['_OTHER', '_OTHER', '_OTHER']);
});

test('circuit states as numbers: closed 0, half-open 1, open 2', () => {
  expect(CIRCUIT_STATE_VALUE).toEqual({ CLOSED: 0, HALF_OPEN: 1, OPEN: 2 });
});

test('CappedValues keeps the first `limit` distinct values for good; later ones become `other`', () => {
  const cap = new CappedValues(2, '_other');
  expect(['a', 'b', 'a', 'c', 'b', 'd'].map((v) => cap.of(v))).toEqual(['a', 'b', 'a', '_other', 'b', '_other']);
});

test('maxByCappedKey: one value per capped key, the highest winning among those sharing `other`', () => {
  const cap = new CappedValues(1, '_other');
  const items = [{ k: 'a', v: 0 }, { k: 'b', v: 1 }, { k: 'c', v: 2 }, { k: 'd', v: 0 }];
  expect([...maxByCappedKey(items, (i) => i.k, (i) => i.v, cap)]).toEqual([['a', 0], ['_other', 2]]);
});
