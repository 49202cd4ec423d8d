/**
 * The listed tools without run_tests, in listing order: run_tests is listed only where the sandbox probe
 * succeeded at start (on a loaded machine it can time out), which is not what these tests are about.
 */
export function modelTools(names: readonly string[]): string[] {
  return names.filter((name) => name !== 'run_tests');
}
