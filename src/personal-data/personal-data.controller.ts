import { Get, Headers, Inject, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PERSONAL_DATA_EXPORTERS, RIGHTS_OFFICERS } from '../access/functions.js';
import { ParcoursUnknownError } from '../audit/audit.js';
import { IsCalendarDate } from '../http/calendar-date.js';
import { ProblemError } from '../http/problem.js';
import { Roles } from '../access/access.decorators.js';
import type { AuthenticatedRequest } from '../access/principal.js';
import { entryFor, readerOf } from '../parcours/read-models/parcours-details/parcours-details.query.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { personalDataExportToHtml } from './personal-data-export/personal-data-export-html.js';
import type { PersonalDataExport } from './personal-data-export/personal-data-export.js';
import { PersonalDataExporter } from './personal-data-export/personal-data-exporter.js';
import { Retention, type RetentionPlan } from './retention/retention.js';
import { ApiRepresentations } from '../http/representations.js';
import { IdentityResponse } from '../parcours/http/parcours.response.js';
import { ApiController } from '../http/api-controller.js';

type Request = FastifyRequest & AuthenticatedRequest;

export class ReplacedIdentityResponse {
  @ApiProperty({ format: 'date', description: 'The day the rectification replaced it' }) until!: string;
  @ApiProperty({ type: IdentityResponse }) identity!: IdentityResponse;
}

export class PersonalDataStatusResponse {
  @ApiProperty({ description: 'The parcours status (the folded state)' }) parcoursStatus!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) archivedOn!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'Restriction of processing (art. 18) in force since' }) restrictedSince!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'Objection (art. 21) in force since' }) opposedSince!: string | null;
}

export class ExportedEventResponse {
  @ApiProperty({ format: 'date' }) on!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty() streamVersion!: number;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'In French' }) title!: string;
  @ApiProperty({ description: 'In French' }) detail!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The organisation that recorded it (its name, else its id)' }) organisation!: string | null;
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object', properties: { erased: { type: 'boolean', enum: [true] } }, required: ['erased'], additionalProperties: false }],
    description: 'The note of a contact, decrypted; {"erased": true} once the key is gone',
  })
  note?: string | { erased: true };
}

export class RecipientResponse {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) partnerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) partnerName!: string | null;
  @ApiProperty({ description: 'Accesses journaled' }) accesses!: number;
  @ApiProperty({ format: 'date-time' }) firstAt!: string;
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
}

export class ExportedAccessResponse {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) partnerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) partnerName!: string | null;
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiProperty() operation!: string;
  @ApiProperty() outcome!: string;
}

export class PersonalDataExportResponse {
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: IdentityResponse, description: 'The identity held now, or {"erased": true}' }) identity!: IdentityResponse;
  @ApiProperty({ type: ReplacedIdentityResponse, isArray: true, description: 'Values replaced by a rectification, still held as ciphertext' })
  replacedIdentities!: ReplacedIdentityResponse[];
  @ApiProperty({ type: PersonalDataStatusResponse }) status!: PersonalDataStatusResponse;
  @ApiProperty({ type: ExportedEventResponse, isArray: true, description: 'Every event of the parcours, in French, with the notes' }) events!: ExportedEventResponse[];
  @ApiProperty({ type: RecipientResponse, isArray: true, description: 'The organisations that accessed the record' }) recipients!: RecipientResponse[];
  @ApiProperty({ type: ExportedAccessResponse, isArray: true, description: 'Every access journal entry about the record' }) accessJournal!: ExportedAccessResponse[];
  @ApiProperty() accessJournalRetentionMonths!: number;
}

export class RetentionQuery {
  @ApiPropertyOptional({ format: 'date', description: 'The day of the run to plan (default: today)' }) @IsOptional() @IsCalendarDate() asOf?: string;
}

export class RetentionPolicyResponse {
  @ApiProperty({ description: 'Months in the active base after the last activity (R. 263-8 CASF)' }) activeMonths!: number;
  @ApiProperty({ description: 'Months in the intermediate archive before the personal data are erased' }) archiveMonths!: number;
}

export class DueForArchiveResponse {
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty({ format: 'date', description: 'The last day a caseworker recorded something on the parcours' }) lastActivityOn!: string;
  @ApiProperty({ format: 'date', description: 'lastActivityOn plus the active months' }) dueOn!: string;
}

export class DueForErasureResponse {
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty({ format: 'date' }) archivedOn!: string;
  @ApiProperty({ format: 'date', description: 'archivedOn plus the archive months' }) dueOn!: string;
}

export class RetentionPlanResponse {
  @ApiProperty({ format: 'date' }) asOf!: string;
  @ApiProperty({ type: RetentionPolicyResponse }) policy!: RetentionPolicyResponse;
  @ApiProperty({ type: DueForArchiveResponse, isArray: true }) toArchive!: DueForArchiveResponse[];
  @ApiProperty({ type: DueForErasureResponse, isArray: true }) toErase!: DueForErasureResponse[];
}

/** The person's right of access, and the retention report: the data protection officer's tools (DESIGN §8). */
@ApiController('privacy', 'v1')
export class PersonalDataController {
  constructor(
    @Inject(PersonalDataExporter) private readonly exporter: PersonalDataExporter,
    @Inject(Retention) private readonly retention: Retention,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  @Get('parcours/:parcoursId/personal-data-export')
  @Roles(...PERSONAL_DATA_EXPORTERS)
  @ApiOperation({
    summary: 'Everything held about the person (RGPD art. 15): identity, events in readable form, notes, who accessed the record',
    description: 'JSON, or a readable French document with Accept: text/html. Archived and erased parcours included. Journaled.',
  })
  @ApiRepresentations(PersonalDataExportResponse, { html: 'for the person, in French' })
  async export(
    @Param('parcoursId', new ParseUUIDPipe()) parcoursId: string,
    @Headers('accept') accept: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonalDataExport | string> {
    const reader = readerOf(request);
    let data: PersonalDataExport;
    try {
      data = await this.exporter.export(parcoursId);
    } catch (error) {
      if (!(error instanceof ParcoursUnknownError)) throw error;
      await this.journal.record(entryFor(reader, 'privacy.export', parcoursId, 'not_found'));
      throw new ProblemError(404, 'not_found', 'Not found', 'no such parcours');
    }
    // Journaled before the answer leaves: the export is itself an access to the record.
    await this.journal.record(entryFor(reader, 'privacy.export', parcoursId, 'ok'));
    // Personal data: no cache anywhere on the way.
    void reply.header('cache-control', 'no-store');
    if (accept?.split(',')[0]?.trim().startsWith('text/html')) {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return personalDataExportToHtml(data);
    }
    return data;
  }

  @Get('privacy/retention')
  @Roles(...RIGHTS_OFFICERS)
  @ApiOperation({
    summary: 'What the next retention run will archive (no activity for RETENTION_ACTIVE_MONTHS) and erase (archived for RETENTION_ARCHIVE_MONTHS)',
    description: 'R. 263-8 CASF. Parcours ids only, no personal data. The run itself is the nightly job, or `cli privacy retention`.',
  })
  @ApiOkResponse({ type: RetentionPlanResponse })
  plan(@Query() query: RetentionQuery): Promise<RetentionPlan> {
    return this.retention.plan(query.asOf);
  }
}
