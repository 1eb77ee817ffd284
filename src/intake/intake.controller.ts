import { Body, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { INTAKE_IMPORTERS } from '../access/functions.js';
import { correlationIdOf } from '../http/correlation.js';
import { ProblemError } from '../http/problem.js';
import { Roles } from '../access/access.decorators.js';
import type { AuthenticatedRequest } from '../access/principal.js';
import { Intake, type IntakeReport } from './intake.js';
import { ApiController } from '../http/api-controller.js';

class LineErrorResponse {
  @ApiProperty({ description: 'line of the file (the header is line 1)' }) line!: number;
  @ApiProperty({ description: 'the column, or `line` for the whole line' }) column!: string;
  @ApiProperty({ description: 'what is wrong: required, invalid_format, invalid_nir, invalid_date, unknown_value, too_long, unknown_commune, territory_not_served (a coordinator, outside its territories), birth_date_after_entry, date_in_future, wrong_number_of_fields, parcours_not_reachable, or a rule of the parcours' })
  code!: string;
}

class IntakeReportResponse {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({ description: 'sha256 of the file: the same file imported by the same organisation under the same role is one import' }) fileSha256!: string;
  @ApiProperty() lines!: number;
  @ApiProperty({ description: 'new entrants: a parcours opened in the EPCI of their commune' }) opened!: number;
  @ApiProperty({ description: 'people already followed whose RSA rights changed' }) rightsChanged!: number;
  @ApiProperty({ description: 'people already followed, nothing new' }) unchanged!: number;
  @ApiProperty() invalid!: number;
  @ApiProperty({ type: [LineErrorResponse] }) errors!: LineErrorResponse[];
  @ApiProperty({ description: 'imported in full before: nothing written this time' }) alreadyImported!: boolean;
  @ApiProperty({ description: 'lines done by an interrupted earlier run of the same file' }) resumedLines!: number;
}

@ApiController('intake', 'v1/intake')
export class IntakeController {
  constructor(@Inject(Intake) private readonly intake: Intake) {}

  @Post('imports')
  @HttpCode(200)
  @Roles(...INTAKE_IMPORTERS)
  @ApiOperation({
    summary: 'Import the CAF/MSA monthly file of RSA entrants (CSV; columns in the README): one parcours per new entrant, none for a person already followed',
    description: 'Idempotent: the same file again writes nothing. An import cut short resumes when the file is sent again. For large files, the CLI shows progress.',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', description: 'the file, UTF-8, `;`-separated, with a header line' } })
  @ApiOkResponse({ type: IntakeReportResponse, description: 'The file was imported before: nothing written' })
  @ApiCreatedResponse({ type: IntakeReportResponse, description: 'Imported' })
  async import(@Body() body: unknown, @Req() request: FastifyRequest & AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<IntakeReport> {
    if (!Buffer.isBuffer(body)) throw new ProblemError(415, 'unsupported_media_type', 'Send the file as text/csv', 'Content-Type: text/csv, the file as the body');
    const report = await this.intake.import(body, { principal: request.principal!, actingRole: request.actingRole!, correlationId: correlationIdOf(request) });
    if (!report.alreadyImported) void reply.status(201);
    return report;
  }
}
