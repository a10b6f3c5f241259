import { isLocalhostName, localhostNamesResolver } from '../../lambda/adapters/http/localhost-names-resolver';

describe('localhostNamesResolver (RFC 6761: .localhost is loopback)', () => {
  const asked: string[] = [];
  const resolver = localhostNamesResolver(async (hostname) => {
    asked.push(hostname);
    return [{ address: '93.184.215.14', family: 4 }];
  });

  beforeEach(() => {
    asked.length = 0;
  });

  it.each(['client.localhost', 'a.b.localhost', 'Client.LOCALHOST', 'client.localhost.', 'localhost'])('answers 127.0.0.1 for %s without asking the fallback', async (name) => {
    expect(await resolver(name)).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(asked).toEqual([]);
  });

  it.each(['client.localhost.example.com', 'evillocalhost', 'example.com'])('hands %s to the fallback resolver', async (name) => {
    expect(await resolver(name)).toEqual([{ address: '93.184.215.14', family: 4 }]);
    expect(asked).toEqual([name]);
  });

  it('recognizes only names under localhost', () => {
    expect(isLocalhostName('x.localhost')).toBe(true);
    expect(isLocalhostName('xlocalhost')).toBe(false);
    expect(isLocalhostName('localhost.example')).toBe(false);
  });
});
