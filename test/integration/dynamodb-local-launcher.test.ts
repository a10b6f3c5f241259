/**
 * The DynamoDB Local launcher that local mode and the test setup use. DynamoDB Local sends
 * telemetry to AWS unless told not to, and records that it did in a file in its working
 * directory: local mode and tests must stay on loopback and leave the tree clean.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';

describe('DynamoDB Local launcher', () => {
  it('starts an answering DynamoDB Local with telemetry off: nothing written to its working directory', async () => {
    const workingDir = mkdtempSync(join(tmpdir(), 'ddb-local-cwd-'));
    const previousDir = process.cwd();
    process.chdir(workingDir);
    try {
      const dynamo = await startDynamoDbLocal({ port: 0 });
      try {
        const client = localDynamoDbClient(dynamo.endpoint);
        await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
        client.destroy();
      } finally {
        await dynamo.stop();
      }
      expect(readdirSync(workingDir)).toEqual([]);
    } finally {
      process.chdir(previousDir);
      rmSync(workingDir, { recursive: true, force: true });
    }
  });

  it('freePort never gives one process the same port twice (the kernel repeats released ones)', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
