#!/usr/bin/env node
// npm 11's `npm ci` refuses a lockfile that lacks entries for other platforms' optional binaries (e.g.
// @swc/core-darwin-arm64), and `npm install` cannot write them when the registry it can reach does not serve
// those versions. This adds a stub entry (version + os/cpu/libc, optional) for each missing one: npm then skips
// them on non-matching platforms exactly as it would with full entries. Run after any `npm install`.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'android', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

const file = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    const parts = name.split('/').pop().split('-');
    const stub = { version: String(spec).replace(/^[\^~=]/, ''), optional: true };
    const os = parts.filter((p) => OS.includes(p));
    const cpu = parts.filter((p) => CPU.includes(p));
    if (os.length) stub.os = os;
    if (cpu.length) stub.cpu = cpu;
    if (parts.includes('musl') || parts.includes('musleabihf')) stub.libc = ['musl'];
    else if (parts.includes('gnu') || parts.includes('gnueabihf')) stub.libc = ['glibc'];
    packages[hoisted] = stub;
    added++;
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lockfile: added ${added} optional platform entries\n`);
