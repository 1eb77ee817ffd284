import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type Caller, callerOf } from '../access/caller.js';
import { type ParcoursPurpose, parcoursFactsOf, reachesParcours } from '../access/parcours-rule.js';
import type { Principal } from '../access/principal.js';
import { type Role, isRole } from '../access/roles.js';
import { CommandRunner, type Fold } from '../event-store/command-runner.js';
import type { EventMetadata, NewStreamAppend } from '../event-store/event-store.js';
import { type InlineWrite, InlineWriteConflictError } from '../event-store/inline-writes.js';
import { ONE_OPEN_PARCOURS_CONSTRAINT } from '../privacy/blind-index/blind-index.js';
import type { DataKeyToCommit } from '../privacy/crypto/key-vault.js';
import { ParcoursCommandPreparation } from './command-preparation.js';
import { type OpenParcours, PERSONAL_DATA_COMMANDS, type PartnerFact } from './domain/commands.js';
import { decide } from './domain/parcours-decider.js';
import type { ParcoursEvent } from './domain/events.js';
import { type ParcoursState, evolve, evolveAll } from './domain/state.js';
import { type ParcoursChange, ParcoursInlineWrites } from './parcours-inline-writes.js';
import type { ParcoursRequest } from './parcours-request.js';
import { ExistingParcoursQuery } from './read-models/parcours-details/existing-parcours.query.js';
import { entryFor, parcoursNotFound } from './read-models/parcours-details/parcours-details.query.js';

export interface ParcoursCommandResult {
  parcoursId: string;
  version: number;
  changed: boolean;
  events: Array<{ eventId: string; type: string }>;
}

export const parcoursFold: Fold<ParcoursState | null, ParcoursEvent> = { initial: null, evolve, evolveAll };

export function parcoursStreamId(parcoursId: string): string {
  return `parcours-${parcoursId}`;
}

export class ExecuteParcoursCommand extends Command<ParcoursCommandResult> {
  constructor(
    readonly parcoursId: string,
    readonly request: ParcoursRequest,
    readonly principal: Principal,
    readonly actingRole: string,
    readonly metadata: Omit<EventMetadata, 'occurredAt'>,
    readonly options: {
      /** Every role the request acts under (the guard's `actingRoles`); the acting role alone by default. */
      actingRoles?: readonly Role[];
      expectedVersion?: number;
      /** Ids for the decided events (derived from an Idempotency-Key: a retry cannot write twice). */
      eventId?: (index: number) => string;
      /** More writes to commit with the events, if any are appended, from the answer (the idempotency record, an intake's line record). */
      followups?: (result: ParcoursCommandResult) => readonly InlineWrite[];
    } = {},
  ) {
    super();
  }
}

/**
 * Runs a caseworker's command on a parcours: checks first that the caller reaches it (else 404, as
 * if it did not exist, and nothing written), has the command prepared (facts looked up, personal
 * data encrypted), lets the command runner fold, decide and append, and commits with the events
 * what ParcoursInlineWrites lists, in one statement. HTTP concerns (idempotency, the answer's
 * status and headers) stay in the controller.
 */
@CommandHandler(ExecuteParcoursCommand)
export class ExecuteParcoursCommandHandler implements ICommandHandler<ExecuteParcoursCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(ParcoursCommandPreparation) private readonly preparation: ParcoursCommandPreparation,
    @Inject(ParcoursInlineWrites) private readonly writes: ParcoursInlineWrites,
    @Inject(ExistingParcoursQuery) private readonly existing: ExistingParcoursQuery,
  ) {}

  async execute(message: ExecuteParcoursCommand): Promise<ParcoursCommandResult> {
    const { parcoursId, request, principal, actingRole, options } = message;
    const streamId = parcoursStreamId(parcoursId);
    // A role string this service does not know reaches nothing.
    const caller: Caller = callerOf(principal, options.actingRoles ?? (isRole(actingRole) ? [actingRole] : []));
    const exercisesRights = (PERSONAL_DATA_COMMANDS as readonly string[]).includes(request.type);
    const purpose: ParcoursPurpose = exercisesRights ? 'rights' : request.type === 'RecordRsaRights' ? 'intake' : 'record';
    const reaches = (state: ParcoursState | null) => state !== null && reachesParcours(caller, purpose, parcoursFactsOf(state));
    // Who may reach the parcours comes before anything else: a caller who gets 404 must learn
    // nothing (not whether a référent or a partner exists, not whether the data were erased) and
    // leave nothing (no data key, no journal entry).
    if (request.type !== 'OpenParcours') await this.requireReach(streamId, reaches);
    const context = this.preparation.contextOf(principal, actingRole);
    const prepared = await this.preparation.prepare(parcoursId, request, context, principal);
    const { command } = prepared;
    const metadata: EventMetadata = { ...message.metadata, occurredAt: this.preparation.occurredAt(request) };
    const journal = entryFor({ principal, actingRole, correlationId: metadata.correlationId }, `parcours.${request.type}`, parcoursId, 'ok');
    const opener: PartnerFact = { partnerId: principal.partnerId, active: true };
    try {
      const change = await this.runner.run(
        streamId,
        parcoursFold,
        (state) => {
          // Again on the state decided on, which may have moved since the check above.
          if (command.type !== 'OpenParcours' && !reaches(state)) throw parcoursNotFound();
          return command.type === 'OpenParcours' ? openingEvents(command, state, opener) : decide(command, state);
        },
        {
          expectedVersion: options.expectedVersion ?? prepared.expectedVersion,
          metadata,
          eventId: options.eventId,
          followups: (decision) => [
            ...this.writes.of({
              after: decision.after!,
              version: decision.version,
              events: decision.events,
              opening: command.type === 'OpenParcours',
              // The person's rights, the archive and the erasure are not accompaniment: they leave the retention clock alone.
              lastActivityOn: exercisesRights ? null : context.today,
              journal,
              dataKey: prepared.dataKey,
              index: prepared.index,
            }),
            ...(options.followups?.(resultOf(parcoursId, decision)) ?? []),
          ],
          // One open parcours per person: an opening, a rectification or a reopening that would make
          // a second one fails on the blind index's unique constraint, in the statement itself.
          followupConstraints: [ONE_OPEN_PARCOURS_CONSTRAINT],
        },
      );
      this.writes.settle(parcoursId, { events: change.events, dataKey: prepared.dataKey }, change.changed);
      return resultOf(parcoursId, change);
    } catch (error) {
      if (!(error instanceof InlineWriteConflictError && error.constraint === ONE_OPEN_PARCOURS_CONSTRAINT)) throw error;
      throw await this.existing.refusal(caller, parcoursId, prepared.index);
    }
  }

  /**
   * 404 unless the caller reaches the parcours. Decided on the state the command runner holds (no
   * query when it is cached); a refusal on a cached state is confirmed on the stream, which another
   * instance may have changed.
   */
  private async requireReach(streamId: string, reaches: (state: ParcoursState | null) => boolean): Promise<void> {
    const { state, fresh } = await this.runner.current(streamId, parcoursFold);
    if (reaches(state)) return;
    if (!fresh && reaches((await this.runner.load(streamId, parcoursFold)).state)) return;
    throw parcoursNotFound();
  }

  /**
   * An opening decided as `execute` decides one, for a batch the caller appends in one statement
   * (the intake: `EventStore.appendNewStreams`): the new stream's events and every write `execute`
   * commits with them, and the caller's own. The caller settles it (`settleOpening`) once the batch
   * is stored or not. Throws what `execute` would refuse with (a birth date after the entry: 422).
   */
  prepareOpening(
    parcoursId: string,
    request: Extract<ParcoursRequest, { type: 'OpenParcours' }>,
    principal: Principal,
    actingRole: Role,
    metadata: Omit<EventMetadata, 'occurredAt'>,
    dataKey: DataKeyToCommit,
    followups: readonly InlineWrite[],
  ): NewStreamAppend {
    const context = this.preparation.contextOf(principal, actingRole);
    const { command, index } = this.preparation.opening(parcoursId, request, context, dataKey);
    const decided = openingEvents(command, null, { partnerId: principal.partnerId, active: true });
    const after = decided.reduce(evolve, null)!;
    const stored: EventMetadata = { ...metadata, occurredAt: request.entryOn };
    const events = decided.map((event) => ({ eventId: randomUUID(), type: event.type, data: event.data, metadata: stored }));
    const change: ParcoursChange = {
      after,
      version: events.length,
      events,
      opening: true,
      lastActivityOn: context.today,
      journal: entryFor({ principal, actingRole, correlationId: metadata.correlationId }, 'parcours.OpenParcours', parcoursId, 'ok'),
      dataKey,
      index,
    };
    return { streamId: parcoursStreamId(parcoursId), events, followups: [...this.writes.of(change), ...followups] };
  }
}

function resultOf(parcoursId: string, change: { version: number; events: Array<{ eventId: string; type: string }> }): ParcoursCommandResult {
  return {
    parcoursId,
    version: change.version,
    changed: change.events.length > 0,
    events: change.events.map((event) => ({ eventId: event.eventId, type: event.type })),
  };
}

/**
 * An opening's events: the parcours opened, and the organisation that opens it in its follow-up
 * group (otherwise nobody there could see it), since the entry it records, which a replay as of
 * that date must show.
 */
function openingEvents(command: OpenParcours, state: ParcoursState | null, opener: PartnerFact): ParcoursEvent[] {
  const events = decide(command, state);
  if (events.length === 0) return events;
  const opened = events.reduce(evolve, state);
  return [...events, ...decide({ type: 'JoinFollowUpGroup', parcoursId: command.parcoursId, context: command.context, partner: opener, joinedOn: command.entryOn }, opened)];
}
