/**
 * The SDK clients a function may never call are built, and their packages loaded, at their
 * first call (lambda/adapters/aws-clients/sdk-packages.ts), and only once.
 */
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { builtAtFirstCall, cognitoSdk, kmsSdk, secretsManagerSdk } from '../../lambda/adapters/aws-clients/sdk-packages';

describe('builtAtFirstCall', () => {
  it('builds nothing until the first send, then passes every send to the one client it built', async () => {
    const sent: unknown[] = [];
    let builds = 0;
    const lazy = builtAtFirstCall(() => {
      builds++;
      return { send: async (command: string) => (sent.push(command), `answer to ${command}`) };
    });
    expect(builds).toBe(0);
    expect(await lazy.send('first')).toBe('answer to first');
    expect(await lazy.send('second')).toBe('answer to second');
    expect(builds).toBe(1);
    expect(sent).toEqual(['first', 'second']);
  });

  it('passes the options and the failure of the real client', async () => {
    const kms = new KMSClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 's' }, maxAttempts: 1 });
    const lazy = builtAtFirstCall(() => kms);
    const error = await lazy.send(new ListKeysCommand({}), { abortSignal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toMatch(/Abort/);
  });
});

describe('the SDK packages loaded at first use', () => {
  it('are the packages themselves', () => {
    expect(kmsSdk().KMSClient).toBe(KMSClient);
    expect(typeof secretsManagerSdk().GetSecretValueCommand).toBe('function');
    expect(typeof cognitoSdk().AdminListGroupsForUserCommand).toBe('function');
  });
});
