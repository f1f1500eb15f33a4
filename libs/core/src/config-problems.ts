import { UsageError } from './run-context.ts';

/** An integer >= 1. */
export const isPositiveInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/**
 * The problems of a resolved config, collected so that one error names all of them, each with
 * its fix. An experiment's validateConfig records what is wrong and ends with throwIfAny().
 */
export class ConfigProblems {
  private readonly list: string[] = [];

  /** Records a problem, in words that say what is accepted. */
  push(message: string): void {
    this.list.push(message);
  }

  /** Each value must be an integer >= 1. */
  positiveIntegers(values: Record<string, unknown>): void {
    for (const [name, v] of Object.entries(values)) {
      if (!isPositiveInteger(v)) this.push(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }

  /** Each value must be a finite number > 0. */
  positiveNumbers(values: Record<string, unknown>): void {
    for (const [name, v] of Object.entries(values)) {
      if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) this.push(`${name} must be > 0, got ${JSON.stringify(v)}`);
    }
  }

  /** Throws one UsageError listing every recorded problem (none: returns). */
  throwIfAny(): void {
    if (this.list.length) throw new UsageError(`Invalid config:\n  - ${this.list.join('\n  - ')}`);
  }
}
