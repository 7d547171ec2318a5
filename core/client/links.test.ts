import { describe, expect, it } from 'vitest';
import { runPageUrl } from './links';

describe('runPageUrl', () => {
  it('puts the run page under the server URL, keeping a path prefix', () => {
    expect(runPageUrl('http://127.0.0.1:8734', 'r-1')).toBe('http://127.0.0.1:8734/r/r-1');
    expect(runPageUrl('http://127.0.0.1:8734/', 'r-1')).toBe('http://127.0.0.1:8734/r/r-1');
    expect(runPageUrl('https://example.test/team', 'r-1')).toBe('https://example.test/team/r/r-1');
    expect(runPageUrl('https://example.test/team/?x=1#y', 'r-1')).toBe('https://example.test/team/r/r-1');
  });

  it('percent-encodes the id, so an odd id cannot leave the /r/ path', () => {
    expect(runPageUrl('http://h', '../a b?c')).toBe('http://h/r/..%2Fa%20b%3Fc');
  });

  it('names what is wrong with a bad server URL or an empty id', () => {
    expect(() => runPageUrl('localhost:8734', 'r')).toThrow(/http:\/\/ or https:\/\/.*localhost:8734/);
    expect(() => runPageUrl('not a url', 'r')).toThrow(/not a URL: "not a url"/);
    expect(() => runPageUrl('http://h', ' ')).toThrow(/run id/);
  });
});
