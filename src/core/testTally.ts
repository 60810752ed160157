// The tree's "k/n tests pass" after a test run. Every outcome counts, errors included: a test that could not even
// load (a syntax error in a module it imports) is a test that does not pass, so the count must move with it.

export type TestOutcome = 'passed' | 'failed' | 'errored' | 'skipped';

/** The outcomes of one run, by test id; the first outcome of a test is the one that counts. */
export class TestTally {
  private readonly outcomes = new Map<string, TestOutcome>();

  /** Records `outcome` for `id` unless it already has one; returns whether it was recorded. */
  record(id: string, outcome: TestOutcome): boolean {
    if (this.outcomes.has(id)) return false;
    this.outcomes.set(id, outcome);
    return true;
  }

  outcome(id: string): TestOutcome | undefined {
    return this.outcomes.get(id);
  }

  /** Passed tests out of every test that passed, failed or errored (skipped ones are neither). */
  count(): { passed: number; total: number } {
    let passed = 0;
    let total = 0;
    for (const o of this.outcomes.values()) {
      if (o === 'skipped') continue;
      total++;
      if (o === 'passed') passed++;
    }
    return { passed, total };
  }

  /**
   * The count to store as the exercise's last test run, or undefined: only a whole-exercise run that was not
   * cancelled and had at least one outcome says how the exercise stands.
   */
  toRecord(run: {
    readonly wholeExercise: boolean;
    readonly cancelled: boolean;
  }): { passed: number; total: number } | undefined {
    const c = this.count();
    return run.wholeExercise && !run.cancelled && c.total > 0 ? c : undefined;
  }
}
