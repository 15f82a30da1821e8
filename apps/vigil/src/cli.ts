import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '@vigil/config';
import { registerAuditCommands } from './cli/audit-commands';
import { registerProjectionCommands } from './cli/projection-commands';
import { registerUserCommands } from './cli/user-commands';
import { registerDetectCommands } from './cli/detect-commands';
import { registerTelemetryCommands } from './cli/telemetry-commands';

const program = new Command('vigil').description('Vigil control-plane commands').showHelpAfterError();
registerAuditCommands(program);
registerProjectionCommands(program);
registerUserCommands(program);
registerDetectCommands(program);
registerTelemetryCommands(program);

program.parseAsync(process.argv).catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
