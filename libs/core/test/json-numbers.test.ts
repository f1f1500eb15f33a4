import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../src/json-numbers.ts';

describe('JSON that keeps non-finite numbers', () => {
  it('round-trips NaN, Infinity and -Infinity at any depth, and every other value as JSON does', () => {
    const value = { a: NaN, b: [1, Infinity, { c: -Infinity }], d: 'text', e: null, f: 0.1 + 0.2, g: -0 };
    const back = parseJson(stringifyJson(value)) as typeof value;
    expect(back.a).toBeNaN();
    expect(back.b).toEqual([1, Infinity, { c: -Infinity }]);
    expect([back.d, back.e, back.f]).toEqual(['text', null, 0.1 + 0.2]);
    // Where plain JSON would have lost them:
    expect(JSON.parse(JSON.stringify(value)).a).toBeNull();
    expect(parseJson(stringifyJson({ x: 1, y: 'NaN' }))).toEqual({ x: 1, y: 'NaN' });
  });
});
