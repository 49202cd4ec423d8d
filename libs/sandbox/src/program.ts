import type { SandboxLanguage } from './sandbox.types';

/** A program ready to run, or the compiler's complaint (TypeScript only). */
export type AssembledProgram =
  | { ok: true; fileName: string; source: string; interpreter: 'python' | 'node' }
  | { ok: false; message: string };

/**
 * Between the code and the tests: remembers the code's names (so the runner only calls test functions the
 * tests define), and makes a failing `assert f(x) == y` say what f(x) returned — expected vs actual is what
 * a model needs to repair code, and plain asserts do not show it.
 */
const PYTHON_CODE_END = `
__sandbox_names_of_code = set(globals())

def __sandbox_explain(exc_type, exc, tb):
    import ast, linecache, sys, traceback
    traceback.print_exception(exc_type, exc, tb)
    if not issubclass(exc_type, AssertionError) or tb is None:
        return
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    try:
        test = ast.parse(linecache.getline(frame.f_code.co_filename, tb.tb_lineno).strip()).body[0].test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            actual = eval(compile(ast.Expression(test.left), "<assert>", "eval"), frame.f_globals, frame.f_locals)
            expected = ast.unparse(test.comparators[0])
            print(f"AssertionError details: {ast.unparse(test.left)} returned {actual!r}, expected {expected}", file=sys.stderr)
    except Exception:
        pass

__import__("sys").excepthook = __sandbox_explain
`;

/**
 * Runs what the tests defined but did not run themselves: zero-argument `test*` functions (pytest style)
 * and unittest.TestCase classes. A test program that calls its checks (or unittest.main()) runs as written.
 */
const PYTHON_RUNNER = `
def __sandbox_run_defined_tests():
    defined = {k: v for k, v in globals().items() if k not in __sandbox_names_of_code}
    if not any(k.startswith("test") or isinstance(v, type) for k, v in defined.items()):
        return  # plain asserts only: nothing to import or call
    import inspect, sys, unittest
    failed = 0
    for name, fn in defined.items():
        if name.startswith("test") and inspect.isfunction(fn) and not inspect.signature(fn).parameters:
            try:
                fn()
            except Exception:
                failed += 1
                print(f"FAILED {name}", file=sys.stderr)
                __sandbox_explain(*sys.exc_info())
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
