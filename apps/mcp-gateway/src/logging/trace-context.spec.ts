import { traceContextOf, traceIdOf } from './trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceContextOf', () => {
  it('takes _meta first, then headers (plain records or fetch Headers)', () => {
    const header = '00-11111111111111111111111111111111-2222222222222222-00';
    expect(traceContextOf({ traceparent: VALID }, { traceparent: header })).toEqual({ traceparent: VALID });
    expect(traceContextOf(undefined, new Headers({ traceparent: header, tracestate: 'a=1' }))).toEqual({
      traceparent: header,
      tracestate: 'a=1',
    });
    expect(traceIdOf(traceContextOf({ traceparent: VALID }, undefined))).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('ignores what W3C Trace Context calls invalid: all-zero ids, version ff, upper case, wrong lengths', () => {
    for (const bad of [
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6-00f067aa0ba902b7-01',
      42,
    ]) {
      expect(traceContextOf({ traceparent: bad }, undefined)).toBeUndefined();
    }
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});
