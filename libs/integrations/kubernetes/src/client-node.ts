import * as nodeModule from 'node:module';
import * as path from 'node:path';
import type * as ClientNode from '@kubernetes/client-node';

export type ClientNodeModule = typeof ClientNode;

interface NodeModuleInstance {
  filename: string;
  paths: string[];
  require(id: string): unknown;
}
interface NodeModuleClass {
  new (id: string): NodeModuleInstance;
  _nodeModulePaths(from: string): string[];
}

let loaded: ClientNodeModule | undefined;

/**
 * `@kubernetes/client-node` 1.x is published as ESM only. Node >= 20.19 require()s ESM natively, but Jest's own
 * CommonJS registry refuses it (until Node 24.9), and transforming node_modules would need a root Jest config change.
 * So the package is loaded through Node's loader: a Module rooted at this file, whose `require` is Node's own (it
 * stays Node's under Jest too, where `node:module` is Jest's subclass of the real Module). Same path in production.
 * Consequence: its objects come from the host realm, so errors are recognised by shape, never by `instanceof`.
 */
export function loadClientNode(): ClientNodeModule {
  if (loaded) return loaded;
  const ModuleClass = (nodeModule as unknown as { Module: NodeModuleClass }).Module;
  const loader = new ModuleClass(__filename);
  loader.filename = __filename;
  loader.paths = ModuleClass._nodeModulePaths(path.dirname(__filename));
  loaded = loader.require('@kubernetes/client-node') as ClientNodeModule;
  return loaded;
}
