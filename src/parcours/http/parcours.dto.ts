import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { IsCalendarDate } from '../../http/calendar-date.js';
import { MEMBER_ID_PATTERN } from '../../access/member-id.js';
import { IsMemberId } from '../../http/member-id.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import { MANUAL_ENGAGEMENT_CONTRACT_END_REASONS, MANUAL_REFERENT_RELEASE_REASONS } from '../domain/commands.js';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  APPOINTMENT_KINDS,
  APPOINTMENT_OUTCOMES,
  BARRIER_LEVELS,
  CONTACT_CHANNELS,
  EMPLOYMENT_CONTRACT_END_REASONS,
  EMPLOYMENT_CONTRACT_KINDS,
  ENGAGEMENT_CONTRACT_KINDS,
  EXIT_CATEGORIES,
  EXIT_REASONS,
  HOUSEHOLD_ROLES,
  ORIENTATION_REASONS,
  PARCOURS_SOURCES,
  PARCOURS_TYPES,
  QUALIFICATION_LEVELS,
  RECENT_ACTIVITIES,
  REOPEN_REASONS,
  REORIENTATION_REASONS,
  REORIENTATION_REJECTION_REASONS,
  ERASURE_LEGAL_GROUNDS,
  PROCESSING_RESTRICTION_GROUNDS,
  PROCESSING_RIGHTS,
  STRUCTURE_KINDS,
  SUSPENSION_REASONS,
  ACTIVITY_HOURS_ADJUSTMENT_KINDS,
  ACTIVITY_HOURS_ADJUSTMENT_REASONS,
  RESUMPTION_REASONS,
} from '../domain/events.js';
import { isValidNir } from '../domain/nir.js';
import { ALLOCATAIRE_ORGANISMS } from '../../privacy/blind-index/normalise.js';

/*
 * Shape only, at the edge (DESIGN §9.4): types, enumerations, lengths. Whether a date is in the
 * future or before the entry, whether a contract may be signed, is decided by the decider.
 */
const TERRITORY_CODES = TERRITORIES.map((territory) => territory.code);
const BARRIER = { enum: BARRIER_LEVELS };
const PHONE = /^\+?[0-9 .-]{6,20}$/;
/** Digits, with the spaces people put in them; at most 15 digits. */
export const ALLOCATAIRE_NUMBER = /^ *[0-9]( *[0-9]){0,14} *$/;

@ValidatorConstraint({ name: 'nir' })
class NirConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isValidNir(value);
  }

  defaultMessage(): string {
    return 'nir must be a valid NIR (15 characters, key checked)';
  }
}

export class AddressDto {
  @ApiProperty() @IsString() @Length(1, 200) line1!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Length(0, 200) line2?: string | null;
  @ApiProperty({ example: '63300', pattern: '^\\d{5}$' }) @Matches(/^\d{5}$/, { message: 'postalCode must be 5 digits' }) postalCode!: string;
  @ApiProperty() @IsString() @Length(1, 100) city!: string;
}

export class AllocataireDto {
  @ApiProperty({ enum: ALLOCATAIRE_ORGANISMS }) @IsIn(ALLOCATAIRE_ORGANISMS) organism!: (typeof ALLOCATAIRE_ORGANISMS)[number];
  @ApiProperty({ example: '1234567', pattern: ALLOCATAIRE_NUMBER.source, description: 'the allocataire number at that organism (digits; spaces tolerated)' })
  @Matches(ALLOCATAIRE_NUMBER, { message: 'number must be 1 to 15 digits' })
  number!: string;
}

/** Personal data: encrypted before it reaches an event, never logged. */
export class IdentityDto {
  @ApiProperty() @IsString() @Length(1, 100) firstName!: string;
  @ApiProperty() @IsString() @Length(1, 100) lastName!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() birthDate!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'NIR, 15 characters; its key is checked' })
  @IsOptional()
  @Validate(NirConstraint)
  nir?: string | null;
  @ApiPropertyOptional({ type: AllocataireDto, nullable: true }) @IsOptional() @IsObject() @ValidateNested() @Type(() => AllocataireDto) allocataire?: AllocataireDto | null;
  @ApiPropertyOptional({ type: AddressDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => AddressDto) address?: AddressDto | null;
  @ApiPropertyOptional({ type: String, nullable: true, pattern: PHONE.source }) @IsOptional() @Matches(PHONE, { message: 'phone must be a phone number' }) phone?: string | null;
  @ApiPropertyOptional({ type: String, format: 'email', nullable: true }) @IsOptional() @IsEmail() @Length(3, 254) email?: string | null;
}

export class OpenParcoursDto {
  // ValidateNested alone lets a missing object through (class-validator skips undefined): IsObject requires it.
  @ApiProperty({ type: IdentityDto }) @IsObject() @ValidateNested() @Type(() => IdentityDto) identity!: IdentityDto;
  @ApiProperty({ enum: HOUSEHOLD_ROLES }) @IsIn(HOUSEHOLD_ROLES) householdRole!: (typeof HOUSEHOLD_ROLES)[number];
  @ApiProperty() @IsBoolean() rsaSocle!: boolean;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() entryOn!: string;
  @ApiProperty({ enum: TERRITORY_CODES }) @IsIn(TERRITORY_CODES) territory!: string;
  @ApiProperty({ enum: PARCOURS_SOURCES }) @IsIn(PARCOURS_SOURCES) source!: (typeof PARCOURS_SOURCES)[number];
}

export class BarriersDto {
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) mobility!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) family!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) health!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) literacy!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) housing!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) finances!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) administrative!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) digital!: (typeof BARRIER_LEVELS)[number];
  @ApiProperty(BARRIER) @IsIn(BARRIER_LEVELS) language!: (typeof BARRIER_LEVELS)[number];
}

export class RecordDiagnosticDto {
  @ApiProperty({ type: BarriersDto }) @IsObject() @ValidateNested() @Type(() => BarriersDto) barriers!: BarriersDto;
  @ApiProperty({ enum: RECENT_ACTIVITIES }) @IsIn(RECENT_ACTIVITIES) recentActivity!: (typeof RECENT_ACTIVITIES)[number];
  @ApiProperty({ enum: QUALIFICATION_LEVELS }) @IsIn(QUALIFICATION_LEVELS) qualificationLevel!: (typeof QUALIFICATION_LEVELS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() diagnosedOn!: string;
}

export class DecideOrientationDto {
  @ApiProperty({ enum: PARCOURS_TYPES }) @IsIn(PARCOURS_TYPES) parcoursType!: (typeof PARCOURS_TYPES)[number];
  @ApiProperty({ format: 'uuid', description: 'The organisme référent (a partner organisation)' }) @IsUUID() organismeReferentId!: string;
  @ApiProperty({ enum: ORIENTATION_REASONS }) @IsIn(ORIENTATION_REASONS) reason!: (typeof ORIENTATION_REASONS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() decidedOn!: string;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) @IsOptional() @IsCalendarDate() notifiedOn?: string | null;
}

export class RequestReorientationDto {
  @ApiProperty({ enum: REORIENTATION_REASONS }) @IsIn(REORIENTATION_REASONS) reason!: (typeof REORIENTATION_REASONS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() requestedOn!: string;
  @ApiPropertyOptional({ enum: PARCOURS_TYPES, nullable: true }) @IsOptional() @IsIn(PARCOURS_TYPES) proposedParcoursType?: (typeof PARCOURS_TYPES)[number] | null;
}

export class DecideReorientationDto {
  @ApiProperty() @IsBoolean() accepted!: boolean;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() decidedOn!: string;
  @ApiPropertyOptional({ enum: PARCOURS_TYPES, description: 'Required when accepted' })
  @ValidateIf((dto: DecideReorientationDto) => dto.accepted === true)
  @IsIn(PARCOURS_TYPES)
  parcoursType?: (typeof PARCOURS_TYPES)[number];
  @ApiPropertyOptional({ format: 'uuid', description: 'Required when accepted' })
  @ValidateIf((dto: DecideReorientationDto) => dto.accepted === true)
  @IsUUID()
  organismeReferentId?: string;
  @ApiPropertyOptional({ enum: REORIENTATION_REJECTION_REASONS, description: 'Required when refused' })
  @ValidateIf((dto: DecideReorientationDto) => dto.accepted === false)
  @IsIn(REORIENTATION_REJECTION_REASONS)
  rejectionReason?: (typeof REORIENTATION_REJECTION_REASONS)[number];
}

export class AssignReferentDto {
  @ApiProperty({ description: 'The caseworker (their `sub`), a member with the referent role', pattern: MEMBER_ID_PATTERN.source }) @IsMemberId() referentUserId!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() assignedOn!: string;
}

export class ReleaseReferentDto {
  @ApiProperty({ enum: MANUAL_REFERENT_RELEASE_REASONS }) @IsIn(MANUAL_REFERENT_RELEASE_REASONS) reason!: (typeof MANUAL_REFERENT_RELEASE_REASONS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() releasedOn!: string;
}

export class JoinFollowUpGroupDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() partnerId!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() joinedOn!: string;
}

export class LeaveFollowUpGroupDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() leftOn!: string;
}

export class RecordAppointmentDto {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the caller: recording it again is harmless' }) @IsUUID() appointmentId!: string;
  @ApiProperty({ enum: APPOINTMENT_KINDS }) @IsIn(APPOINTMENT_KINDS) kind!: (typeof APPOINTMENT_KINDS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() scheduledOn!: string;
  @ApiProperty({ enum: APPOINTMENT_OUTCOMES }) @IsIn(APPOINTMENT_OUTCOMES) outcome!: (typeof APPOINTMENT_OUTCOMES)[number];
  @ApiProperty({ format: 'uuid' }) @IsUUID() partnerId!: string;
}

export class RecordContactDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() contactId!: string;
  @ApiProperty({ enum: CONTACT_CHANNELS }) @IsIn(CONTACT_CHANNELS) channel!: (typeof CONTACT_CHANNELS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() contactedOn!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() partnerId!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    description: 'What was said. Free text is personal data: encrypted with the beneficiary\'s key, never shared with partners, erased with the identity. Prefer coded facts.',
  })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  note?: string | null;
}

export class ActivityHoursAdjustmentDto {
  @ApiProperty({ enum: ACTIVITY_HOURS_ADJUSTMENT_KINDS }) @IsIn(ACTIVITY_HOURS_ADJUSTMENT_KINDS) kind!: (typeof ACTIVITY_HOURS_ADJUSTMENT_KINDS)[number];
  @ApiProperty({ enum: ACTIVITY_HOURS_ADJUSTMENT_REASONS }) @IsIn(ACTIVITY_HOURS_ADJUSTMENT_REASONS) reason!: (typeof ACTIVITY_HOURS_ADJUSTMENT_REASONS)[number];
}

export class SignEngagementContractDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() contractId!: string;
  @ApiProperty({ enum: ENGAGEMENT_CONTRACT_KINDS }) @IsIn(ENGAGEMENT_CONTRACT_KINDS) kind!: (typeof ENGAGEMENT_CONTRACT_KINDS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() signedOn!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() startsOn!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() endsOn!: string;
  @ApiProperty({ minimum: 0, maximum: 35 }) @IsNumber() @Min(0) @Max(35) weeklyActivityHours!: number;
  @ApiPropertyOptional({
    type: ActivityHoursAdjustmentDto,
    nullable: true,
    description: "A contrat d'engagement below 15 hours a week: reduced (fewer hours) or exempted (0 hours), with its coded reason",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ActivityHoursAdjustmentDto)
  activityHoursAdjustment?: ActivityHoursAdjustmentDto | null;
}

export class EndEngagementContractDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() endedOn!: string;
  @ApiProperty({ enum: MANUAL_ENGAGEMENT_CONTRACT_END_REASONS }) @IsIn(MANUAL_ENGAGEMENT_CONTRACT_END_REASONS) reason!: (typeof MANUAL_ENGAGEMENT_CONTRACT_END_REASONS)[number];
}

export class PrescribeActionDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() actionId!: string;
  @ApiProperty({ enum: ACTION_KINDS }) @IsIn(ACTION_KINDS) kind!: (typeof ACTION_KINDS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() prescribedOn!: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) @IsOptional() @IsUUID() providerPartnerId?: string | null;
}

export class ChangeActionStatusDto {
  @ApiProperty({ enum: ACTION_STATUSES }) @IsIn(ACTION_STATUSES) status!: (typeof ACTION_STATUSES)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() changedOn!: string;
}

export class StartEmploymentContractDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() contractId!: string;
  @ApiProperty({ enum: EMPLOYMENT_CONTRACT_KINDS }) @IsIn(EMPLOYMENT_CONTRACT_KINDS) kind!: (typeof EMPLOYMENT_CONTRACT_KINDS)[number];
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The employer, if a partner organisation (else employerSiret)' })
  @IsOptional()
  @IsUUID()
  employerPartnerId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '73282932000074', pattern: '^\\d{14}$' }) @IsOptional() @Matches(/^\d{14}$/, { message: 'employerSiret must be 14 digits' }) employerSiret?: string | null;
  @ApiPropertyOptional({ enum: STRUCTURE_KINDS, nullable: true }) @IsOptional() @IsIn(STRUCTURE_KINDS) structureKind?: (typeof STRUCTURE_KINDS)[number] | null;
  @ApiProperty({ minimum: 1, maximum: 48 }) @IsNumber() @Min(1) @Max(48) weeklyHours!: number;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() startsOn!: string;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) @IsOptional() @IsCalendarDate() plannedEndOn?: string | null;
}

export class EndEmploymentContractDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() endedOn!: string;
  @ApiProperty({ enum: EMPLOYMENT_CONTRACT_END_REASONS }) @IsIn(EMPLOYMENT_CONTRACT_END_REASONS) reason!: (typeof EMPLOYMENT_CONTRACT_END_REASONS)[number];
}

export class SuspendParcoursDto {
  @ApiProperty({ enum: SUSPENSION_REASONS }) @IsIn(SUSPENSION_REASONS) reason!: (typeof SUSPENSION_REASONS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() suspendedOn!: string;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0.3,
    maximum: 1,
    description: 'Share of the allowance withheld (décret 2025-478): required from 2025-06-01, refused before',
  })
  @IsOptional()
  @IsNumber()
  @Min(0.3)
  @Max(1)
  withheldShare?: number | null;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'Last day of the sanction as decided (at most four months on): required from 2025-06-01, refused before' })
  @IsOptional()
  @IsCalendarDate()
  plannedEndOn?: string | null;
}

export class ResumeParcoursDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() resumedOn!: string;
  @ApiPropertyOptional({ enum: RESUMPTION_REASONS, nullable: true, description: 'remobilised: the obligations were met again before the end of the sanction' })
  @IsOptional()
  @IsIn(RESUMPTION_REASONS)
  reason?: (typeof RESUMPTION_REASONS)[number] | null;
}

export class RecordFranceTravailRegistrationDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() registeredOn!: string;
}

export class ExitParcoursDto {
  @ApiProperty({ enum: EXIT_CATEGORIES }) @IsIn(EXIT_CATEGORIES) category!: (typeof EXIT_CATEGORIES)[number];
  @ApiProperty({ enum: EXIT_REASONS }) @IsIn(EXIT_REASONS) reason!: (typeof EXIT_REASONS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() exitedOn!: string;
}

export class ReopenParcoursDto {
  @ApiProperty({ enum: REOPEN_REASONS }) @IsIn(REOPEN_REASONS) reason!: (typeof REOPEN_REASONS)[number];
  @ApiProperty({ format: 'date' }) @IsCalendarDate() reopenedOn!: string;
}

/**
 * A search by identifier, in the body (never in a URL, which proxies and logs keep): a NIR, an
 * allocataire number, or last name + first name(s) + birth date (all three), alone or together.
 */
export class SearchParcoursDto {
  @ApiPropertyOptional({ type: String, description: 'NIR, 15 characters; its key is checked' }) @IsOptional() @Validate(NirConstraint) nir?: string;
  @ApiPropertyOptional({ type: AllocataireDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => AllocataireDto) allocataire?: AllocataireDto;
  @ApiPropertyOptional({ description: 'with firstName and birthDate' })
  @ValidateIf((o: SearchParcoursDto) => o.lastName !== undefined || o.firstName !== undefined || o.birthDate !== undefined)
  @IsString()
  @Length(1, 100)
  lastName?: string;
  @ApiPropertyOptional({ description: 'one or several first names, in any order; with lastName and birthDate' })
  @ValidateIf((o: SearchParcoursDto) => o.lastName !== undefined || o.firstName !== undefined || o.birthDate !== undefined)
  @IsString()
  @Length(1, 100)
  firstName?: string;
  @ApiPropertyOptional({ format: 'date', description: 'with lastName and firstName' })
  @ValidateIf((o: SearchParcoursDto) => o.lastName !== undefined || o.firstName !== undefined || o.birthDate !== undefined)
  @IsCalendarDate()
  birthDate?: string;
}

export class ListParcoursQuery {
  @ApiPropertyOptional({ enum: ['open', 'suspended', 'exited'] }) @IsOptional() @IsIn(['open', 'suspended', 'exited']) status?: string;
  @ApiPropertyOptional({ enum: TERRITORY_CODES }) @IsOptional() @IsIn(TERRITORY_CODES) territory?: string;
  @ApiPropertyOptional({ description: 'Parcours whose current référent is this user', pattern: MEMBER_ID_PATTERN.source }) @IsOptional() @IsMemberId() referent?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Parcours this organisation follows' }) @IsOptional() @IsUUID() organisation?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'nextCursor of the previous page' }) @IsOptional() @IsUUID() cursor?: string;
}

export class ListFollowupsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page', pattern: '^[1-9][0-9]{0,17}$' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

/** The corrected fields only; `null` removes an optional one (NIR, address, phone, e-mail). */
export class IdentityCorrectionsDto {
  // Names and birth date can be corrected, not removed: null is refused for them.
  @ApiPropertyOptional() @ValidateIf((o: IdentityCorrectionsDto) => o.firstName !== undefined) @IsString() @Length(1, 100) firstName?: string;
  @ApiPropertyOptional() @ValidateIf((o: IdentityCorrectionsDto) => o.lastName !== undefined) @IsString() @Length(1, 100) lastName?: string;
  @ApiPropertyOptional({ format: 'date' }) @ValidateIf((o: IdentityCorrectionsDto) => o.birthDate !== undefined) @IsCalendarDate() birthDate?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @Validate(NirConstraint) nir?: string | null;
  @ApiPropertyOptional({ type: AllocataireDto, nullable: true }) @IsOptional() @IsObject() @ValidateNested() @Type(() => AllocataireDto) allocataire?: AllocataireDto | null;
  @ApiPropertyOptional({ type: AddressDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => AddressDto) address?: AddressDto | null;
  @ApiPropertyOptional({ type: String, nullable: true, pattern: PHONE.source }) @IsOptional() @Matches(PHONE, { message: 'phone must be a phone number' }) phone?: string | null;
  @ApiPropertyOptional({ type: String, format: 'email', nullable: true }) @IsOptional() @IsEmail() @Length(3, 254) email?: string | null;
}

export class RectifyIdentityDto {
  @ApiProperty({ type: IdentityCorrectionsDto }) @IsObject() @ValidateNested() @Type(() => IdentityCorrectionsDto) corrections!: IdentityCorrectionsDto;
  @ApiPropertyOptional({ format: 'date', description: 'Default: today' }) @IsOptional() @IsCalendarDate() rectifiedOn?: string;
}

export class RestrictProcessingDto {
  @ApiProperty({ enum: PROCESSING_RIGHTS, description: 'restriction: RGPD art. 18; opposition: art. 21, once granted' })
  @IsIn(PROCESSING_RIGHTS)
  right!: (typeof PROCESSING_RIGHTS)[number];
  @ApiProperty({ enum: PROCESSING_RESTRICTION_GROUNDS }) @IsIn(PROCESSING_RESTRICTION_GROUNDS) ground!: (typeof PROCESSING_RESTRICTION_GROUNDS)[number];
  @ApiPropertyOptional({ format: 'date', description: 'Default: today' }) @IsOptional() @IsCalendarDate() restrictedOn?: string;
}

export class LiftProcessingRestrictionDto {
  @ApiPropertyOptional({ format: 'date', description: 'Default: today' }) @IsOptional() @IsCalendarDate() liftedOn?: string;
}

export class ErasureDto {
  @ApiProperty({ enum: ERASURE_LEGAL_GROUNDS, description: 'The coded legal ground, recorded with the erasure (never free text)' })
  @IsIn(ERASURE_LEGAL_GROUNDS)
  legalGround!: (typeof ERASURE_LEGAL_GROUNDS)[number];
}

export class CommandResultDto {
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty({ description: 'The new version, also in the ETag header' }) version!: number;
  @ApiProperty({ description: 'False when the command was already in effect (nothing recorded)' }) changed!: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { eventId: { type: 'string', format: 'uuid' }, type: { type: 'string' } } } })
  events!: Array<{ eventId: string; type: string }>;
}
