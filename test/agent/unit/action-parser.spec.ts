import {
  firstBalancedObject,
  parseNativeCall,
  parseTextAction,
} from '../../../apps/agent/src/planner/action-parser';
import { cutAtStopSequence } from '../../../apps/agent/src/planner/planner-strategy';

describe('parseTextAction (lenient text action parser)', () => {
  it('reads the strict format', () => {
    const decision = parseTextAction('{"tool": "generate_code", "arguments": {"task": "add"}}');
    expect(decision).toEqual({ kind: 'call', action: { tool: 'generate_code', arguments: { task: 'add' } } });
  });

  it('takes the first { to the last } around chatter', () => {
    const decision = parseTextAction(
      'Sure! I will call it.\n{"tool":"review_code","arguments":{"code":"x = {}"}}\nThanks',
    );
    expect(decision).toMatchObject({
      kind: 'call',
      action: { tool: 'review_code', arguments: { code: 'x = {}' } },
    });
  });

  it('prefers the last fenced block', () => {
    const text =
      'Plan:\n```json\n{"tool":"a","arguments":{}}\n```\nActually:\n```json\n{"tool":"formalize_task","arguments":{"task":"t"}}\n```';
    expect(parseTextAction(text)).toMatchObject({ kind: 'call', action: { tool: 'formalize_task' } });
  });

  it('accepts name/action_input spellings and string arguments', () => {
    expect(
      parseTextAction('{"action":"formalize_task","action_input":"{\\"task\\":\\"x\\"}"}'),
    ).toMatchObject({
      kind: 'call',
      action: { tool: 'formalize_task', arguments: { task: 'x' } },
    });
    expect(parseTextAction('{"name":"generate_code","parameters":{"task":"y"}}')).toMatchObject({
      action: { tool: 'generate_code', arguments: { task: 'y' } },
    });
  });

  it('reads Mistral [TOOL_CALLS] written as text', () => {
    const decision = parseTextAction(
      '[TOOL_CALLS] [{"name": "review_code", "arguments": {"code": "print(1)"}}]',
    );
    expect(decision).toMatchObject({
      kind: 'call',
      action: { tool: 'review_code', arguments: { code: 'print(1)' } },
    });
  });

  it('reads <function=…> tags with parameters or a JSON body', () => {
    const tagged = parseTextAction(
      '<function=generate_code><parameter=task>sum a list</parameter></function>',
    );
    expect(tagged).toMatchObject({
      kind: 'call',
      action: { tool: 'generate_code', arguments: { task: 'sum a list' } },
    });
    const json = parseTextAction('<function=formalize_task>{"task":"t"}</function>');
    expect(json).toMatchObject({
      kind: 'call',
      action: { tool: 'formalize_task', arguments: { task: 't' } },
    });
  });

  it('repairs trailing commas', () => {
    expect(parseTextAction('{"tool":"formalize_task","arguments":{"task":"t",},}')).toMatchObject({
      kind: 'call',
    });
  });

  it('recognises final answers in several spellings', () => {
    expect(parseTextAction('{"tool":"final_answer","arguments":{"answer":"All done"}}')).toEqual({
      kind: 'final',
      answer: 'All done',
    });
    expect(parseTextAction('{"final_answer":"ok"}')).toEqual({ kind: 'final', answer: 'ok' });
    expect(parseTextAction('{"tool":"final_answer","arguments":"plain"}')).toEqual({
      kind: 'final',
      answer: 'plain',
    });
  });

  it('falls back to the first complete object when the model keeps writing after its action', () => {
    const text = '{"tool":"formalize_task","arguments":{"task":"a {b} \\"c\\""}} and then {"more": }';
    expect(parseTextAction(text)).toMatchObject({
      kind: 'call',
      action: { arguments: { task: 'a {b} "c"' } },
    });
    expect(firstBalancedObject('no braces')).toBeUndefined();
    expect(firstBalancedObject('{"open": {')).toBeUndefined();
  });

  it('drops an observation the model invented itself when the runtime ignored the stop sequences', () => {
    const text = '{"tool":"generate_code","arguments":{"task":"t"}}\nObservation: {"code": "made up"}';
    expect(cutAtStopSequence(text)).toBe('{"tool":"generate_code","arguments":{"task":"t"}}');
    expect(cutAtStopSequence('plain')).toBe('plain');
  });

  it('explains exactly what is wrong', () => {
    expect(parseTextAction('   ')).toEqual({ kind: 'invalid', problem: 'the reply was empty' });
    expect(parseTextAction('I think we should write code')).toEqual({
      kind: 'invalid',
      problem: 'no JSON action was found in the reply',
    });
    const broken = parseTextAction('{"tool": "generate_code", "arguments": {"task": "x"');
    expect(broken.kind).toBe('invalid');
    expect(parseTextAction('{"tool": generate_code}')).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('not valid JSON'),
    });
    expect(parseTextAction('{"arguments": {}}')).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('"tool"'),
    });
    expect(parseTextAction('{"tool":"generate_code","arguments":[1]}')).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('JSON object'),
    });
    expect(parseTextAction('[1, 2]')).toMatchObject({ kind: 'invalid' });
  });
});

describe('parseNativeCall', () => {
  it('parses JSON arguments and keeps the call id', () => {
    expect(parseNativeCall({ id: 'abc123XYZ', name: 'generate_code', arguments: '{"task":"t"}' })).toEqual({
      kind: 'call',
      action: { tool: 'generate_code', arguments: { task: 't' }, callId: 'abc123XYZ' },
    });
  });

  it('mints a Mistral-style id when the server sent none', () => {
    const decision = parseNativeCall({ id: '', name: 'x', arguments: '{}' });
    expect(decision.kind === 'call' && decision.action.callId).toMatch(/^[A-Za-z0-9]{9}$/);
  });

  it('treats empty arguments as {} and broken ones as invalid', () => {
    expect(parseNativeCall({ id: 'a', name: 'x', arguments: '' })).toMatchObject({
      kind: 'call',
      action: { arguments: {} },
    });
    expect(parseNativeCall({ id: 'a', name: 'x', arguments: '{oops' })).toMatchObject({
      kind: 'invalid',
      action: { callId: 'a' },
    });
  });

  it('accepts a final_answer pseudo-tool', () => {
    expect(parseNativeCall({ id: 'a', name: 'final_answer', arguments: '{"answer":"fin"}' })).toEqual({
      kind: 'final',
      answer: 'fin',
    });
    expect(parseNativeCall({ id: 'a', name: 'final_answer', arguments: 'fin' })).toEqual({
      kind: 'final',
      answer: 'fin',
    });
  });
});

describe('parseTextAction on adversarial replies', () => {
  it('reads many unclosed <parameter=…> tags in linear time (was quadratic: 11 s for 512 KB)', () => {
    const reply = `<function=generate_code>${'<parameter=task>x'.repeat((512 * 1024) / 17)}`;
    const startedAt = performance.now();
    parseTextAction(reply);
    expect(performance.now() - startedAt).toBeLessThan(3_000);
    const closed = parseTextAction('<function=review_code><parameter=code>x = 1</parameter></function>');
    expect(closed).toMatchObject({
      kind: 'call',
      action: { tool: 'review_code', arguments: { code: 'x = 1' } },
    });
  });
});
