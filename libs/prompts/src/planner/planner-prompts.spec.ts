import {
  buildPlannerOpening,
  describeArguments,
  foldSystemMessages,
  renderFormatError,
  renderToolCatalog,
  renderToolError,
} from './planner-prompts';

const TOOLS = [
  {
    name: 'generate_code',
    description: 'Write code.',
    parameters: {
      type: 'object',
      properties: { task: { type: 'string' }, mode: { enum: ['fast', 'slow'] }, spec: {} },
      required: ['task'],
    },
  },
];

describe('planner prompts', () => {
  it('describes arguments compactly with required markers', () => {
    expect(describeArguments(TOOLS[0]!.parameters)).toBe(
      'task: string (required), mode: "fast"|"slow", spec: object',
    );
    expect(describeArguments({})).toBe('(none)');
    expect(renderToolCatalog(TOOLS)).toContain(
      '- generate_code: Write code.\n  arguments: task: string (required)',
    );
  });

  it('puts instructions, the text format with one example, and the task into one user turn', () => {
    const opening = buildPlannerOpening({
      task: 'sum a list',
      language: 'python',
      tools: TOOLS,
      textFormat: true,
    });
    expect(opening.role).toBe('user');
    expect(opening.content).toContain('{"tool": "final_answer"');
    expect(opening.content).toContain('Example:');
    expect(opening.content).toContain('- generate_code');
    expect(opening.content.endsWith('Task: sum a list\nTarget language: python')).toBe(true);
  });

  it('leaves the format to the server in native mode', () => {
    const opening = buildPlannerOpening({ task: 't', tools: TOOLS, textFormat: false });
    expect(opening.content).not.toContain('Example:');
    expect(opening.content).not.toContain('- generate_code');
  });

  it('folds system turns into the first user turn', () => {
    const folded = foldSystemMessages([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U' },
      { role: 'assistant', content: 'A' },
    ]);
    expect(folded).toEqual([
      { role: 'user', content: 'S\n\nU' },
      { role: 'assistant', content: 'A' },
    ]);
    expect(foldSystemMessages([{ role: 'system', content: 'S' }])).toEqual([{ role: 'user', content: 'S' }]);
    expect(foldSystemMessages([{ role: 'user', content: 'U' }])).toEqual([{ role: 'user', content: 'U' }]);
  });

  it('sends errors back verbatim, with the format again in text mode', () => {
    expect(renderFormatError('bad JSON', true)).toMatch(
      /^Error: your last reply could not be used: bad JSON\nReply with exactly ONE action/,
    );
    expect(renderFormatError('bad JSON', false)).toContain('Call exactly one of the tools');
    expect(renderToolError('review_code', 'timeout')).toContain('review_code: the tool failed: timeout');
  });
});
