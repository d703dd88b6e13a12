/**
 * examples/ml-pipeline as a project of its own, and the artifact trees its runs leave (on disk
 * or on S3), to compare a run in containers with a local one byte for byte.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { makeProject, repoRoot, type Project } from '../helpers/project.js';
import { s3Service } from './services.js';

/**
 * A copy of the example with `extras` (file name to content) added as modules, and dag.config
 * keys merged over `{ modules, artifactRoot: 'data' }`.
 */
export function copyExample(
  extras: Readonly<Record<string, string>> = {},
  config: Record<string, unknown> = {},
): Project {
  const project = makeProject();
  const source = join(repoRoot, 'examples/ml-pipeline');
  for (const name of readdirSync(source).filter((n) => !['data', '.dagwright'].includes(n)))
    cpSync(join(source, name), project.path(name), { recursive: true });
  for (const [name, content] of Object.entries(extras)) project.write(name, content);
  const modules = ['pipeline.ts', ...Object.keys(extras)];
  project.write('dag.config.json', JSON.stringify({ modules, artifactRoot: 'data', ...config }));
  return project;
}

/** Every file under `dir`, by path relative to it. */
export function localTree(dir: string): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else tree.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return tree;
}

/** Every object under `s3://bucket/prefix/`, by key relative to it. */
export async function s3Tree(prefix: string): Promise<Map<string, Buffer>> {
  const s3 = s3Service();
  const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true });
  const tree = new Map<string, Buffer>();
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: s3.bucket,
          Prefix: `${prefix}/`,
          ContinuationToken: token,
        }),
      );
      for (const { Key } of page.Contents ?? []) {
        const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }));
        tree.set(
          Key!.slice(prefix.length + 1),
          Buffer.from(await object.Body!.transformToByteArray()),
        );
      }
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    client.destroy();
  }
  return tree;
}

export function expectSameBytes(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected) expect(actual.get(path)!.equals(bytes), path).toBe(true);
}
