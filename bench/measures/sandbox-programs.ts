/** The two programs of the sandbox measure: the smallest possible test, and a HumanEval-size one. */
export interface SandboxProgram {
  name: string;
  code: string;
  tests: string;
}

export const TRIVIAL: SandboxProgram = { name: 'trivial', code: 'x = 1', tests: 'assert x == 1' };

/** Shaped like a HumanEval task: a docstring'd function of ~20 lines and a check() with ten asserts. */
export const HUMANEVAL_SIZE: SandboxProgram = {
  name: 'humaneval-size',
  code: `from typing import List


def separate_paren_groups(paren_string: str) -> List[str]:
    """Input is a string of several groups of nested, balanced parentheses. Separate them into strings
    and return the list of those; ignore spaces.
    >>> separate_paren_groups('( ) (( )) (( )( ))')
    ['()', '(())', '(()())']
    """
    result = []
    current = []
    depth = 0
    for char in paren_string:
        if char == '(':
            depth += 1
            current.append(char)
        elif char == ')':
            depth -= 1
            current.append(char)
            if depth == 0:
                result.append(''.join(current))
                current.clear()
    return result`,
  tests: `def check(candidate):
    assert candidate('(()()) ((())) () ((())()())') == ['(()())', '((()))', '()', '((())()())']
    assert candidate('() (()) ((())) (((())))') == ['()', '(())', '((()))', '(((())))']
    assert candidate('(()(())((())))') == ['(()(())((())))']
    assert candidate('( ) (( )) (( )( ))') == ['()', '(())', '(()())']
    assert candidate('') == []
    assert candidate('()') == ['()']
    assert candidate('(())') == ['(())']
    assert candidate('()()') == ['()', '()']
    assert candidate(' ( ) ') == ['()']
    assert candidate('((()))()') == ['((()))', '()']


check(separate_paren_groups)`,
};
