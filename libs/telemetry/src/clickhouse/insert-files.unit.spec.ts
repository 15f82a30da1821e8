import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InsertFiles } from './writer';

describe('InsertFiles (rows handed to in-process chDB as local files)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'insert-files-spec-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives the insert a file holding the body and removes it whatever the insert\'s outcome', async () => {
    const files = new InsertFiles(root);
    let seen = '';
    await files.insert('[1,"a"]\n', async (path) => {
      seen = readFileSync(path, 'utf8');
    });
    await expect(files.insert('[2,"b"]\n', async () => {
      throw new Error('insert failed');
    })).rejects.toThrow('insert failed');
    expect(seen).toBe('[1,"a"]\n');
    const [own] = readdirSync(root);
    expect(own).toMatch(new RegExp(`^vigil-insert-${process.pid}-`));
    expect(readdirSync(join(root, own))).toEqual([]);
    files.close();
    expect(readdirSync(root)).toEqual([]);
  });

  it('removes the dirs a killed process left behind, and leaves those of running processes', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    expect(deadPid).toBeGreaterThan(0);
    const left = join(root, `vigil-insert-${deadPid}-Ab12Cd`);
    mkdirSync(left);
    writeFileSync(join(left, '7.ndjson'), '[1]\n');
    const running = join(root, `vigil-insert-${process.ppid}-Zz99Yy`);
    mkdirSync(running);
    const unrelated = join(root, 'vigil-insert-profile-Qq11Ww');
    mkdirSync(unrelated);

    const files = new InsertFiles(root);
    await files.insert('[1]\n', async () => undefined);
    expect(existsSync(left)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    files.close();
  });
});
