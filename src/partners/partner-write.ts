import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, type Fold } from '../event-store/command-runner.js';
import type { EventMetadata } from '../event-store/event-store.js';
import type { Principal } from '../access/principal.js';
import { PrincipalResolver } from './auth/principal-resolver.js';
import { PartnerDirectoryQueries } from './partner-directory.query.js';
import type { PartnerCommand } from './domain/partner-commands.js';
import { decidePartner } from './domain/partner-decider.js';
import type { PartnerEvent } from './domain/partner-events.js';
import { type PartnerState, evolvePartner } from './domain/partner-state.js';
import { partnerDirectoryWrites } from './partner-projection.js';

export const partnerFold: Fold<PartnerState | null, PartnerEvent> = { initial: null, evolve: evolvePartner };

export function partnerStreamId(partnerId: string): string {
  return `partner-${partnerId}`;
}

export interface PartnerCommandResult {
  partnerId: string;
  version: number;
  state: PartnerState | null;
  changed: boolean;
}

/** Any command on a partner organisation's stream, from the HTTP edge or the CLI. */
export class ExecutePartnerCommand extends Command<PartnerCommandResult> {
  constructor(
    readonly partnerId: string,
    readonly command: PartnerCommand,
    /** Undefined for the bootstrap CLI, which acts as the platform itself. */
    readonly principal: Principal | undefined,
    readonly metadata: EventMetadata,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(ExecutePartnerCommand)
export class ExecutePartnerCommandHandler implements ICommandHandler<ExecutePartnerCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(PartnerDirectoryQueries) private readonly directory: PartnerDirectoryQueries,
    @Inject(PrincipalResolver) private readonly principals: PrincipalResolver,
  ) {}

  async execute({ partnerId, command, principal, metadata, expectedVersion }: ExecutePartnerCommand): Promise<PartnerCommandResult> {
    const prepared = command.type === 'AddMember' ? { ...command, memberOfPartnerId: (await this.directory.membershipOf(command.userId))?.partnerId ?? null } : command;
    const context = {
      now: metadata.occurredAt,
      actor: { userId: principal?.userId, partnerId: principal?.partnerId, roles: principal?.roles ?? ['platform_admin' as const] },
    };
    const result = await this.runner.run(partnerStreamId(partnerId), partnerFold, (state) => decidePartner(prepared, state, context), {
      expectedVersion,
      metadata,
      followups: partnerDirectoryWrites,
    });
    if (result.changed) this.principals.forgetPartner(partnerId);
    if (command.type === 'RemoveMember' || command.type === 'ChangeMemberRoles') this.principals.forgetUser(command.userId);
    return { partnerId, version: result.version, state: result.after, changed: result.changed };
  }
}
