/** The `--blobs s3://...` syntax: what it accepts and the errors that name what is wrong. */
import { describe, expect, it } from 'vitest';
import { describeS3Location, parseS3BlobUrl } from './s3-url';

describe('parseS3BlobUrl', () => {
  it('reads bucket, prefix and the endpoint options', () => {
    expect(parseS3BlobUrl('s3://team-blobs/runtrail/prod/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&forcePathStyle=true&region=eu-west-1')).toEqual({
      bucket: 'team-blobs',
      prefix: 'runtrail/prod',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      region: 'eu-west-1',
    });
    expect(parseS3BlobUrl('s3://team-blobs?endpoint=http://minio.internal:9000&forcePathStyle=false')).toEqual({
      bucket: 'team-blobs',
      prefix: '',
      endpoint: 'http://minio.internal:9000',
      forcePathStyle: false,
    });
    expect(parseS3BlobUrl('s3://team-blobs')).toEqual({ bucket: 'team-blobs', prefix: '' });
  });

  it('describes a location without secrets', () => {
    expect(describeS3Location(parseS3BlobUrl('s3://team-blobs/a/b?endpoint=http://127.0.0.1:9000'))).toBe('s3://team-blobs/a/b at http://127.0.0.1:9000');
    expect(describeS3Location(parseS3BlobUrl('s3://team-blobs'))).toBe('s3://team-blobs');
  });

  it.each([
    ['http://team-blobs/x', "--blobs must be an s3://bucket/prefix URL, got scheme 'http:'"],
    ['not a url', "--blobs must be an s3://bucket/prefix URL, got 'not a url'"],
    ['s3://Team_Blobs/x', "--blobs bucket 'Team_Blobs' is not a valid bucket name (3-63 of a-z 0-9 . -)"],
    ['s3://team-blobs:9000/x', "--blobs takes the endpoint as ?endpoint=http://host:port, not a port on the bucket (got ':9000')"],
    ['s3://team-blobs/a/../b', "--blobs prefix 'a/../b' must not contain '.' or '..' segments"],
    ['s3://team-blobs/a/%2E%2E/b', "--blobs prefix 'a/%2E%2E/b' must not contain '.' or '..' segments"],
    ['s3://team-blobs/a%zz', "--blobs prefix has a malformed %-escape in 'a%zz'"],
    ['s3://team-blobs/x?endpoint=ftp://host', "--blobs option endpoint must be an http(s):// URL, got 'ftp://host'"],
    ['s3://team-blobs/x?forcePathStyle=yes', "--blobs option forcePathStyle must be true or false, got 'yes'"],
    ['s3://team-blobs/x?region=EU WEST', "--blobs option region must look like us-east-1, got 'EU WEST'"],
    ['s3://team-blobs/x?acl=public', "--blobs has unknown option 'acl'; known: endpoint, forcePathStyle, region"],
  ])('refuses %s', (url, message) => {
    expect(() => parseS3BlobUrl(url)).toThrow(message);
  });

  it('refuses credentials in the URL or the endpoint without echoing them', () => {
    for (const url of ['s3://AKIAEXAMPLE:hunter2@team-blobs/x', 's3://team-blobs/x?endpoint=http://key:hunter2@127.0.0.1:9000']) {
      let message = '';
      try {
        parseS3BlobUrl(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^--blobs .*must not contain credentials/);
      expect(message).not.toContain('hunter2');
    }
  });
});
