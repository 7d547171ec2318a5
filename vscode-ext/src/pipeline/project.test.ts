import { describe, expect, it } from 'vitest';
import { OutsideProjectError, projectRelativePath } from './project';

describe('project paths', () => {
  it('makes the notebook path relative to the workspace folder, as the CLI does to its project folder', () => {
    expect(projectRelativePath('/home/u/proj', '/home/u/proj/nb/churn.ipynb')).toBe('nb/churn.ipynb');
    expect(projectRelativePath('/home/u/proj/', '/home/u/proj/churn.ipynb')).toBe('churn.ipynb');
  });

  it('refuses a notebook outside the folder, also one in a sibling folder sharing the prefix', () => {
    expect(() => projectRelativePath('/home/u/proj', '/home/u/project2/a.ipynb')).toThrow(OutsideProjectError);
    expect(() => projectRelativePath('/home/u/proj', '/tmp/a.ipynb')).toThrow('is not inside a workspace folder');
  });
});
