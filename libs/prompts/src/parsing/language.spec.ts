import { completeLanguage, detectLanguage, normalizeLanguage } from './language';

describe('normalizeLanguage', () => {
  it.each([
    ['py', 'python'],
    ['Python3', 'python'],
    ['ts', 'typescript'],
    ['js', 'javascript'],
    ['node', 'javascript'],
    ['C++', 'cpp'],
    ['golang', 'go'],
    ['C#', 'csharp'],
    ['sh', 'bash'],
    [' Rust ', 'rust'],
    ['Elixir', 'elixir'],
  ])('%s → %s', (name, expected) => {
    expect(normalizeLanguage(name)).toBe(expected);
  });
});

describe('completeLanguage', () => {
  it('completes canonical names by prefix and resolves aliases', () => {
    expect(completeLanguage('ja')).toEqual(['java', 'javascript']);
    expect(completeLanguage('py')).toEqual(['python']);
    expect(completeLanguage('golang')).toEqual(['go']);
    expect(completeLanguage('zz')).toEqual([]);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['python', 'def add(a, b):\n    return a + b\n'],
    ['python', 'class Stack:\n    def __init__(self):\n        self.items = []\n'],
    ['typescript', 'export function add(a: number, b: number): number {\n  return a + b;\n}'],
    ['typescript', 'interface User {\n  id: string;\n}\nconst u: User = { id: "1" };'],
    ['javascript', 'const add = (a, b) => a + b;\nconsole.log(add(1, 2));'],
    ['javascript', 'function add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };'],
    ['go', 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}'],
    ['rust', 'fn main() {\n    let mut v: Vec<i32> = Vec::new();\n    println!("{:?}", v);\n}'],
    [
      'java',
      'public class Main {\n  public static void main(String[] args) {\n    System.out.println("hi");\n  }\n}',
    ],
    ['csharp', 'using System;\nclass P { static void Main() { Console.WriteLine("hi"); } }'],
    ['c', '#include <stdio.h>\nint main(void) {\n  printf("hi\\n");\n  return 0;\n}'],
    ['cpp', '#include <iostream>\nint main() {\n  std::cout << "hi";\n}'],
    ['ruby', 'class Dog\n  attr_reader :name\n  def bark\n    puts "woof"\n  end\nend'],
    ['php', '<?php\nfunction add($a, $b) { return $a + $b; }'],
    ['bash', '#!/usr/bin/env bash\nset -e\nfor f in *.txt; do\n  echo "$f"\ndone'],
    ['sql', 'SELECT name, COUNT(*) FROM users GROUP BY name;'],
    ['kotlin', 'fun main() {\n    val x = 1\n    println(x)\n}'],
    ['html', '<!DOCTYPE html>\n<html><body></body></html>'],
  ])('%s', (expected, code) => {
    expect(detectLanguage(code)).toBe(expected);
  });

  it('returns undefined for text with nothing distinctive', () => {
    expect(detectLanguage('hello world')).toBeUndefined();
    expect(detectLanguage('x = 1')).toBeUndefined();
  });
});
