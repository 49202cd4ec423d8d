import type { SandboxLanguage } from './sandbox.types';

/** A program ready to run, or the compiler's complaint (TypeScript only). */
export type AssembledProgram =
  | { ok: true; fileName: string; source: string; interpreter: 'python' | 'node' }
  | { ok: false; message: string };

/** Marks where the code ends and the tests begin, so the runner only calls test functions the tests define. */
const PYTHON_CODE_END = '__sandbox_names_of_code = set(globals())';

/**
 * Runs what the tests defined but did not run themselves: zero-argument `test*` functions (pytest style)
 * and unittest.TestCase classes. A test program that calls its checks (or unittest.main()) runs as written.
 */
const PYTHON_RUNNER = `
def __sandbox_run_defined_tests():
    import inspect, sys, traceback, unittest
    defined = {k: v for k, v in globals().items() if k not in __sandbox_names_of_code}
    failed = 0
    for name, fn in defined.items():
        if name.startswith("test") and inspect.isfunction(fn) and not inspect.signature(fn).parameters:
            try:
                fn()
            except Exception:
                failed += 1
                print(f"FAILED {name}", file=sys.stderr)
                traceback.print_exc()
    cases = [v for v in defined.values() if inspect.isclass(v) and issubclass(v, unittest.TestCase)]
    if cases:
        loader = unittest.defaultTestLoader
        suite = unittest.TestSuite(loader.loadTestsFromTestCase(case) for case in cases)
        result = unittest.TextTestRunner(stream=sys.stderr).run(suite)
        failed += len(result.failures) + len(result.errors)
    if failed:
        sys.exit(1)

__sandbox_run_defined_tests()
`;

function pythonProgram(code: string, tests: string): AssembledProgram {
  const source = `${code}\n\n${PYTHON_CODE_END}\n\n${tests}\n\n${PYTHON_RUNNER}`;
  return { ok: true, fileName: 'main.py', source, interpreter: 'python' };
}

/** ES module syntax (import/export statements) needs .mjs; everything else runs as CommonJS. */
function usesModuleSyntax(source: string): boolean {
  return /^\s*(import\s[^(]|import\{|export\s)/m.test(source);
}

function javascriptProgram(code: string, tests: string): AssembledProgram {
  const source = `${code}\n\n${tests}\n`;
  const fileName = usesModuleSyntax(source) ? 'main.mjs' : 'main.js';
  return { ok: true, fileName, source, interpreter: 'node' };
}

/**
 * Node 20 cannot strip types itself: TypeScript's own transpiler does it in-process (types are erased,
 * not checked — like `node --experimental-strip-types`); syntax errors are reported with the compiler's text.
 */
async function typescriptProgram(code: string, tests: string): Promise<AssembledProgram> {
  const ts = (await import('typescript')).default;
  const output = ts.transpileModule(`${code}\n\n${tests}\n`, {
    fileName: 'main.ts',
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const host = {
      getCanonicalFileName: (f: string) => f,
      getCurrentDirectory: () => '',
      getNewLine: () => '\n',
    };
    return { ok: false, message: ts.formatDiagnostics(errors, host).trim() };
  }
  return { ok: true, fileName: 'main.js', source: output.outputText, interpreter: 'node' };
}

/** The code followed by its tests, in one file of the language. */
export async function assembleProgram(
  language: SandboxLanguage,
  code: string,
  tests: string,
): Promise<AssembledProgram> {
  if (language === 'python') return pythonProgram(code, tests);
  if (language === 'javascript') return javascriptProgram(code, tests);
  return typescriptProgram(code, tests);
}
