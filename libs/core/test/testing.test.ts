import { describe, expect, it } from 'vitest';
import { withEnv } from '../src/testing.ts';

describe('withEnv', () => {
  it('sets and unsets variables for the duration of fn and restores them, also when fn throws', async () => {
    process.env.CLAIMLAB_TEST_A = 'a';
    delete process.env.CLAIMLAB_TEST_B;
    const seen = await withEnv({ CLAIMLAB_TEST_A: undefined, CLAIMLAB_TEST_B: 'b' }, async () => [
      process.env.CLAIMLAB_TEST_A,
      process.env.CLAIMLAB_TEST_B,
    ]);
    expect(seen).toEqual([undefined, 'b']);
    expect(process.env.CLAIMLAB_TEST_A).toBe('a');
    expect('CLAIMLAB_TEST_B' in process.env).toBe(false);
    await expect(
      withEnv({ CLAIMLAB_TEST_A: 'x' }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(process.env.CLAIMLAB_TEST_A).toBe('a');
    delete process.env.CLAIMLAB_TEST_A;
  });
});
