import { parseCliOptions, UsageError } from './cli-options';

describe('eval command line', () => {
  it('reads a run with its defaults', () => {
    expect(parseCliOptions(['--dataset', 'multipl-e-ts', '--limit', '5'])).toEqual({
      command: 'run',
      dataset: 'multipl-e-ts',
      mode: 'direct',
      limit: 5,
      concurrency: 4,
      timeoutSeconds: 10,
      maxRepairRounds: undefined,
      out: undefined,
      resume: false,
      gateway: undefined,
      gatewayKey: undefined,
      agent: undefined,
    });
  });

  it('reads compare', () => {
    expect(parseCliOptions(['compare', 'a.json', 'b.json', '--all'])).toEqual({
      command: 'compare',
      a: 'a.json',
      b: 'b.json',
      all: true,
    });
  });

  it.each([
    [['--limit', '3'], /--dataset is required/],
    [['--dataset', 'mbpp'], /--dataset must be one of humaneval, humaneval-x-js/],
    [['--dataset', 'humaneval', '--mode', 'fast'], /--mode must be one of direct, verified, agent/],
    [['--dataset', 'humaneval', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 256/],
    [['--dataset', 'humaneval', '--timeout', '61'], /--timeout must be a whole number from 1 to 60/],
    [['--dataset', 'humaneval', '--gateway', 'localhost:3000'], /--gateway must be an http\(s\) URL/],
    [['--dataset', 'humaneval', '--agent', 'http://a'], /--agent applies to --mode agent only/],
    [['--dataset', 'humaneval', '--bogus'], /Unknown option '--bogus'/],
    [['compare', 'a.json'], /compare takes exactly two results files/],
  ])('refuses %j with a message that says what to change', (argv, message) => {
    expect(() => parseCliOptions(argv)).toThrow(UsageError);
    expect(() => parseCliOptions(argv)).toThrow(message);
  });
});
