/**
 * `dag clean-temp` on remote stores, through the real executable: what a killed writer leaves
 * (a temp file on HDFS, a pending multipart upload on S3) is found and removed, a dry run
 * changes nothing, and young leftovers are kept (their writer may still be running).
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { webHdfsClient } from '../../src/targets/hdfs/webhdfs.js';
import { makeProject } from '../helpers/project.js';
import { hdfsService, s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const hdfs = hdfsService();
const client = new S3Client({
  endpoint: s3.endpoint,
  region: s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});
afterAll(() => client.destroy());

interface CleanReport {
  removed: string[];
  dryRun: boolean;
}

async function cleanTemp(args: string[]): Promise<CleanReport> {
  const result = await makeProject().dag(['clean-temp', ...args, '--json']);
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return JSON.parse(String(result.stdout)) as CleanReport;
}

describe('dag clean-temp on HDFS', () => {
  it('removes temp files of killed writers, and only those', async () => {
    const root = `/${uniquePrefix('clean')}`;
    const nn = webHdfsClient(hdfs.url);
    const leftover = `${root}/models/date=2024-01-01/.model.json.dagwright-tmp-4242-ab12`;
    await nn.create(leftover, 'half a model');
    await nn.create(`${root}/models/date=2024-01-01/model.json`, 'a whole model');
    const uri = `${hdfs.root}${root}`;

    expect(await cleanTemp([uri])).toEqual({ removed: [], dryRun: false }); // younger than 1h
    const dry = await cleanTemp([uri, '--older-than', '0s', '--dry-run']);
    expect(dry.removed).toEqual([`${hdfs.root}${leftover}`]);
    expect(await nn.getFileStatus(leftover)).toBeDefined();

    const wet = await cleanTemp([uri, '--older-than', '0s']);
    expect(wet.removed).toEqual([`${hdfs.root}${leftover}`]);
    expect(await nn.getFileStatus(leftover)).toBeUndefined();
    expect(await nn.getFileStatus(`${root}/models/date=2024-01-01/model.json`)).toBeDefined();
  });
});

describe('dag clean-temp on S3', () => {
  it('aborts pending multipart uploads under the prefix, and only there', async () => {
    const prefix = uniquePrefix('clean');
    const Bucket = s3.bucket;
    const pending = async (Key: string) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      await client.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x'.repeat(1024) }),
      );
      return UploadId!;
    };
    const inside = `${prefix}/models/model.json`;
    const outside = `${prefix}-other/models/model.json`;
    await pending(inside);
    const otherId = await pending(outside);
    const uploadsOf = async (Key: string) =>
      (await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }))).Uploads ?? [];

    const dry = await cleanTemp([`s3://${Bucket}/${prefix}`, '--older-than', '0s', '--dry-run']);
    expect(dry.removed).toHaveLength(1);
    expect(dry.removed[0]).toContain(`s3://${Bucket}/${inside}`);
    expect(await uploadsOf(inside)).toHaveLength(1);

    const wet = await cleanTemp([`s3://${Bucket}/${prefix}`, '--older-than', '0s']);
    expect(wet.removed).toHaveLength(1);
    expect(await uploadsOf(inside)).toHaveLength(0);
    expect(await uploadsOf(outside)).toHaveLength(1);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key: outside, UploadId: otherId }));
  });
});
