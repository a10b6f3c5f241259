import { endpointLines, rssVerdict, SoakRecorder } from '../../bench/soak-stats';

describe('the soak\'s counts and verdicts', () => {
  it('counts requests by status class and endpoint, per interval and in total', () => {
    const recorder = new SoakRecorder();
    recorder.record('AS POST /token', 200, 10);
    recorder.record('AS POST /token', 400, 30);
    recorder.record('MCP POST /mcp', 503, 5);
    recorder.recordLatency('browser: authorization (all pages)', 99);
    const first = recorder.takeInterval();
    expect(first).toMatchObject({ requests: 3, clientErrors: 1, serverErrors: 1 });
    recorder.record('AS POST /token', 201, 20);
    expect(recorder.takeInterval()).toMatchObject({ requests: 1, clientErrors: 0, serverErrors: 0 });
    expect(recorder.total).toMatchObject({ requests: 4, clientErrors: 1, serverErrors: 1 });
    const lines = endpointLines(recorder.total);
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes('AS POST /token'))).toMatch(/n=\s+3\s+p50\s+20\.0 ms\s+p99\s+30\.0 ms/);
  });

  it('judges RSS from the end of the first interval to the last sample, and not at all with fewer than two samples', () => {
    const sample = (kb: number) => new Map([['node', kb]]);
    expect(rssVerdict([sample(100)])).toMatchObject({ judged: false });
    // The first sample is taken after the warm-up interval: it is the line RSS must stay within 5% of.
    expect(rssVerdict([sample(100), sample(90), sample(104.9)])).toMatchObject({ judged: true, pass: true });
    expect(rssVerdict([sample(100), sample(103), sample(105)])).toMatchObject({ judged: true, pass: false });
    expect(rssVerdict([new Map([['node', 100], ['jvm', 100]]), new Map([['node', 100]])]).pass).toBe(false);
  });
});
