import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALLOCATAIRE_ORGANISMS } from '../../privacy/blind-index/normalise.js';
import {
  ACTION_KINDS,
  ACTIVITY_HOURS_ADJUSTMENT_KINDS,
  ACTIVITY_HOURS_ADJUSTMENT_REASONS,
  AGE_BANDS,
  APPOINTMENT_KINDS,
  APPOINTMENT_OUTCOMES,
  BARRIER_KINDS,
  BARRIER_LEVELS,
  CONTACT_CHANNELS,
  EMPLOYMENT_CONTRACT_KINDS,
  ENGAGEMENT_CONTRACT_KINDS,
  EXIT_CATEGORIES,
  HOUSEHOLD_ROLES,
  PARCOURS_SOURCES,
  PARCOURS_TYPES,
  PROCESSING_RESTRICTION_GROUNDS,
  STRUCTURE_KINDS,
} from '../domain/events.js';

/*
 * The documented shapes of parcours answers. The e2e suite validates real answers against the
 * OpenAPI document built from these classes, so they must stay exact.
 */
const DATE = { type: String, format: 'date' } as const;
const NULLABLE_DATE = { type: String, format: 'date', nullable: true } as const;

export class AddressResponse {
  @ApiProperty() line1!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) line2?: string | null;
  @ApiProperty() postalCode!: string;
  @ApiProperty() city!: string;
}

export class AllocataireResponse {
  @ApiProperty({ enum: ALLOCATAIRE_ORGANISMS }) organism!: string;
  @ApiProperty({ description: 'The allocataire number at that organism' }) number!: string;
}

export class IdentityResponse {
  @ApiPropertyOptional() firstName?: string;
  @ApiPropertyOptional() lastName?: string;
  @ApiPropertyOptional({ format: 'date' }) birthDate?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) nir?: string | null;
  @ApiPropertyOptional({ type: AllocataireResponse, nullable: true }) allocataire?: AllocataireResponse | null;
  @ApiPropertyOptional({ type: AddressResponse, nullable: true }) address?: AddressResponse | null;
  @ApiPropertyOptional({ type: String, nullable: true }) phone?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) email?: string | null;
  @ApiPropertyOptional({ description: 'Present (true) once the personal data were erased' }) erased?: boolean;
}

export class DiagnosticResponse {
  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(BARRIER_KINDS.map((kind) => [kind, { type: 'string', enum: [...BARRIER_LEVELS] }])),
    required: [...BARRIER_KINDS],
    selfRequired: true,
  })
  barriers!: Record<string, string>;
  @ApiProperty() recentActivity!: string;
  @ApiProperty() qualificationLevel!: string;
  @ApiProperty(DATE) diagnosedOn!: string;
}

export class OrientationResponse {
  @ApiProperty({ enum: PARCOURS_TYPES }) parcoursType!: string;
  @ApiProperty({ format: 'uuid' }) organismeReferentId!: string;
  @ApiProperty() decidedBy!: string;
  @ApiProperty() reason!: string;
  @ApiProperty(DATE) decidedOn!: string;
  @ApiProperty(NULLABLE_DATE) notifiedOn!: string | null;
}

export class ReorientationRequestResponse {
  @ApiProperty() requestedBy!: string;
  @ApiProperty() reason!: string;
  @ApiProperty(DATE) requestedOn!: string;
  @ApiProperty({ enum: PARCOURS_TYPES, nullable: true }) proposedParcoursType!: string | null;
}

export class ReorientationDecisionResponse {
  @ApiProperty() accepted!: boolean;
  @ApiPropertyOptional({ enum: PARCOURS_TYPES }) parcoursType?: string;
  @ApiPropertyOptional({ format: 'uuid' }) organismeReferentId?: string;
  @ApiPropertyOptional() rejectionReason?: string;
  @ApiProperty() decidedBy!: string;
  @ApiProperty(DATE) decidedOn!: string;
}

export class ReferentResponse {
  @ApiProperty() userId!: string;
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty(DATE) since!: string;
}

export class SuspensionResponse {
  @ApiProperty() reason!: string;
  @ApiProperty(DATE) suspendedOn!: string;
}

export class EndingResponse {
  @ApiProperty(DATE) endedOn!: string;
  @ApiProperty() reason!: string;
}

export class ActivityHoursAdjustmentResponse {
  @ApiProperty({ enum: ACTIVITY_HOURS_ADJUSTMENT_KINDS }) kind!: string;
  @ApiProperty({ enum: ACTIVITY_HOURS_ADJUSTMENT_REASONS }) reason!: string;
}

export class EngagementContractResponse {
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: ENGAGEMENT_CONTRACT_KINDS }) kind!: string;
  @ApiProperty(DATE) signedOn!: string;
  @ApiProperty(DATE) startsOn!: string;
  @ApiProperty(DATE) endsOn!: string;
  @ApiProperty() weeklyActivityHours!: number;
  @ApiProperty({ type: ActivityHoursAdjustmentResponse, nullable: true, description: "Below 15 hours a week: reduced or exempted, with its coded reason (contrat d'engagement)" })
  activityHoursAdjustment!: ActivityHoursAdjustmentResponse | null;
  @ApiProperty({ type: EndingResponse, nullable: true }) ended!: EndingResponse | null;
}

export class EmploymentContractResponse {
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: EMPLOYMENT_CONTRACT_KINDS }) kind!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) employerPartnerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) employerSiret!: string | null;
  @ApiProperty({ enum: STRUCTURE_KINDS, nullable: true }) structureKind!: string | null;
  @ApiProperty() weeklyHours!: number;
  @ApiProperty(DATE) startsOn!: string;
  @ApiProperty(NULLABLE_DATE) plannedEndOn!: string | null;
  @ApiProperty() beneficiaryUnder26AtStart!: boolean;
  @ApiProperty() rsaSocleAtStart!: boolean;
  @ApiProperty({ type: EndingResponse, nullable: true }) ended!: EndingResponse | null;
}

export class ActionResponse {
  @ApiProperty({ format: 'uuid' }) actionId!: string;
  @ApiProperty({ enum: ACTION_KINDS }) kind!: string;
  @ApiProperty(DATE) prescribedOn!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) providerPartnerId!: string | null;
  @ApiProperty({ enum: ['prescribed', 'started', 'completed', 'abandoned', 'cancelled'] }) status!: string;
  @ApiProperty(DATE) statusChangedOn!: string;
}

export class AppointmentResponse {
  @ApiProperty({ format: 'uuid' }) appointmentId!: string;
  @ApiProperty({ enum: APPOINTMENT_KINDS }) kind!: string;
  @ApiProperty(DATE) scheduledOn!: string;
  @ApiProperty({ enum: APPOINTMENT_OUTCOMES }) outcome!: string;
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
}

export class ContactResponse {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ enum: CONTACT_CHANNELS }) channel!: string;
  @ApiProperty(DATE) contactedOn!: string;
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The free-text note, decrypted; null when there is none, for auditors (pseudonymised) and after erasure',
  })
  note!: string | null;
}

export class ArchiveResponse {
  @ApiProperty(DATE) archivedOn!: string;
  @ApiProperty({ ...DATE, description: 'Where the retention clock (R. 263-8 CASF) started' }) lastActivityOn!: string;
}

export class RestrictionResponse {
  @ApiProperty({ enum: PROCESSING_RESTRICTION_GROUNDS }) ground!: string;
  @ApiProperty(DATE) since!: string;
}

export class RestrictionsResponse {
  @ApiProperty({ type: RestrictionResponse, nullable: true, description: 'RGPD art. 18: nothing may be recorded or shared' })
  restriction!: RestrictionResponse | null;
  @ApiProperty({ type: RestrictionResponse, nullable: true, description: 'RGPD art. 21: shared only with the organisations in charge' })
  opposition!: RestrictionResponse | null;
}

export class ExitResponse {
  @ApiProperty({ enum: EXIT_CATEGORIES }) category!: string;
  @ApiProperty() reason!: string;
  @ApiProperty(DATE) exitedOn!: string;
}

export class ReopenResponse {
  @ApiProperty() reason!: string;
  @ApiProperty(DATE) reopenedOn!: string;
}

export class ParcoursResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Also the ETag' }) version!: number;
  @ApiProperty({ type: IdentityResponse, nullable: true, description: 'null for auditors (pseudonymised); { erased: true } after erasure' })
  identity!: IdentityResponse | null;
  @ApiProperty({ enum: ['open', 'suspended', 'exited'] }) status!: string;
  @ApiProperty({ enum: HOUSEHOLD_ROLES }) householdRole!: string;
  @ApiProperty() rsaSocle!: boolean;
  @ApiProperty(DATE) entryOn!: string;
  @ApiProperty() territory!: string;
  @ApiProperty({ enum: PARCOURS_SOURCES }) source!: string;
  @ApiProperty({ enum: AGE_BANDS }) ageBandAtEntry!: string;
  @ApiProperty({ type: SuspensionResponse, nullable: true }) suspension!: SuspensionResponse | null;
  @ApiProperty({ type: DiagnosticResponse, nullable: true }) diagnostic!: DiagnosticResponse | null;
  @ApiProperty({ type: OrientationResponse, nullable: true, description: 'The first orientation decision' }) orientation!: OrientationResponse | null;
  @ApiProperty({ enum: PARCOURS_TYPES, nullable: true, description: 'Current, after reorientations' }) parcoursType!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organismeReferentId!: string | null;
  @ApiProperty({ type: ReorientationRequestResponse, nullable: true }) pendingReorientation!: ReorientationRequestResponse | null;
  @ApiProperty({ type: ReorientationDecisionResponse, nullable: true }) lastReorientationDecision!: ReorientationDecisionResponse | null;
  @ApiProperty({ type: ReferentResponse, nullable: true }) referent!: ReferentResponse | null;
  @ApiProperty({ type: [String] }) followUpGroup!: string[];
  @ApiProperty({ type: [EngagementContractResponse] }) engagementContracts!: EngagementContractResponse[];
  @ApiProperty({ type: [EmploymentContractResponse] }) employmentContracts!: EmploymentContractResponse[];
  @ApiProperty({ type: [ActionResponse] }) actions!: ActionResponse[];
  @ApiProperty({ type: [AppointmentResponse], description: 'The 20 latest, in date order; all of them: GET /v1/parcours/{id}/appointments' })
  appointments!: AppointmentResponse[];
  @ApiProperty({ minimum: 0, description: 'How many appointments the parcours has in all' }) appointmentsTotal!: number;
  @ApiProperty({ type: [ContactResponse], description: 'The 20 latest, in date order; all of them: GET /v1/parcours/{id}/contacts' })
  contacts!: ContactResponse[];
  @ApiProperty({ minimum: 0, description: 'How many contacts the parcours has in all' }) contactsTotal!: number;
  @ApiProperty(NULLABLE_DATE) lastContactOn!: string | null;
  @ApiProperty({ type: ExitResponse, nullable: true }) lastExit!: ExitResponse | null;
  @ApiProperty({ type: ReopenResponse, nullable: true }) lastReopen!: ReopenResponse | null;
  @ApiProperty({ type: ArchiveResponse, nullable: true, description: 'In the intermediate archive: seen by auditors and the DPO only' })
  archived!: ArchiveResponse | null;
  @ApiProperty({ type: RestrictionsResponse }) restrictions!: RestrictionsResponse;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ParcoursSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: IdentityResponse, nullable: true }) identity!: IdentityResponse | null;
  @ApiProperty({ enum: ['open', 'suspended', 'exited'] }) status!: string;
  @ApiProperty() territory!: string;
  @ApiProperty(DATE) entryOn!: string;
  @ApiProperty({ enum: PARCOURS_TYPES, nullable: true }) parcoursType!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organismeReferentId!: string | null;
  @ApiProperty({ type: ReferentResponse, nullable: true }) referent!: ReferentResponse | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ParcoursMatchResponse extends ParcoursSummaryResponse {
  @ApiProperty({ enum: ['nir', 'allocataire', 'name_birth'], isArray: true, description: 'the identifiers that matched' }) matchedBy!: string[];
}

export class ParcoursSearchResponse {
  @ApiProperty({ type: [ParcoursMatchResponse] }) items!: ParcoursMatchResponse[];
}

export class ContactPageResponse {
  @ApiProperty({ type: [ContactResponse] }) items!: ContactResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last' }) nextCursor!: string | null;
}

export class AppointmentPageResponse {
  @ApiProperty({ type: [AppointmentResponse] }) items!: AppointmentResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last' }) nextCursor!: string | null;
}

export class ParcoursPageResponse {
  @ApiProperty({ type: [ParcoursSummaryResponse] }) items!: ParcoursSummaryResponse[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) nextCursor!: string | null;
}
