/** artifact(): targets under the configured artifact root, wherever it is. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  HdfsTarget,
  LocalTarget,
  S3Target,
  UnsafePathError,
  UsageError,
  artifact,
  configureStorage,
  targetFromUri,
} from '../../src/index.js';
import { normalizeArtifactRoot } from '../../src/targets/artifact.js';
import { thrown } from '../helpers/thrown.js';

afterEach(() => {
  configureStorage({});
  delete process.env.DAG_ARTIFACT_ROOT;
});

describe('artifact()', () => {
  it('is relative to the working directory by default', () => {
    const target = artifact('models/date=2024-01-01/model.json');
    expect(target).toBeInstanceOf(LocalTarget);
    expect((target as LocalTarget).path).toBe('models/date=2024-01-01/model.json');
  });

  it('lands under a local, S3 or HDFS root', () => {
    configureStorage({ artifactRoot: '/srv/artifacts/' });
    expect((artifact('a/b.csv') as LocalTarget).path).toBe('/srv/artifacts/a/b.csv');
    configureStorage({ artifactRoot: 's3://ml-artifacts/run1' });
    const s3 = artifact('a/b.csv');
    expect(s3).toBeInstanceOf(S3Target);
    expect(s3.uri).toBe('s3://ml-artifacts/run1/a/b.csv');
    configureStorage({ artifactRoot: 'webhdfs://namenode:9870/data/ml' });
    const hdfs = artifact('./a/b.csv');
    expect(hdfs).toBeInstanceOf(HdfsTarget);
    expect(hdfs.uri).toBe('webhdfs://namenode:9870/data/ml/a/b.csv');
  });

  it('takes the root from DAG_ARTIFACT_ROOT when nothing was configured', () => {
    process.env.DAG_ARTIFACT_ROOT = 's3://from-env/prefix';
    expect(artifact('x.json').uri).toBe('s3://from-env/prefix/x.json');
    configureStorage({ artifactRoot: 's3://from-config/p' });
    expect(artifact('x.json').uri).toBe('s3://from-config/p/x.json');
  });

  it('refuses paths that leave the root or are not relative', () => {
    configureStorage({ artifactRoot: 's3://ml-artifacts/run1' });
    for (const bad of ['../other/x', 'a/../../x', '/etc/passwd', 's3://elsewhere/x', '']) {
      const error = thrown(() => artifact(bad));
      expect(error, bad).toBeInstanceOf(UnsafePathError);
      expect(error.message).not.toContain('\n');
    }
  });
});

describe('targetFromUri()', () => {
  it('picks the target by scheme', () => {
    expect(targetFromUri('s3://bucket/key.json')).toBeInstanceOf(S3Target);
    expect(targetFromUri('webhdfs://nn:9870/a/b')).toBeInstanceOf(HdfsTarget);
    expect(targetFromUri('hdfs://nn:8020/a/b')).toBeInstanceOf(HdfsTarget);
    expect(targetFromUri('file:///tmp/x.json')).toBeInstanceOf(LocalTarget);
    expect(targetFromUri('relative/x.json')).toBeInstanceOf(LocalTarget);
  });

  it('names the schemes it knows when given another', () => {
    const error = thrown(() => targetFromUri('ftp://host/x'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      'unsupported artifact URI "ftp://host/x": use a path, file://, s3://, webhdfs:// or hdfs://',
    );
  });
});

describe('normalizeArtifactRoot()', () => {
  it('makes a local root absolute and keeps a remote one', () => {
    expect(normalizeArtifactRoot('data', '/work/project', 'x')).toBe('/work/project/data');
    expect(normalizeArtifactRoot('file:///srv/a', '/w', 'x')).toBe('/srv/a');
    expect(normalizeArtifactRoot('s3://bucket/run1/', '/w', 'x')).toBe('s3://bucket/run1');
  });

  it('says where a bad root came from', () => {
    const error = thrown(() => normalizeArtifactRoot('gs://bucket/x', '/w', '--artifact-root'));
    expect(error.message).toMatch(/^--artifact-root: unsupported artifact root "gs:\/\/bucket\/x"/);
  });
});
