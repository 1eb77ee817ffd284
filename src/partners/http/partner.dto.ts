import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { API_KEY_SCOPES } from '../../access/grant-rules.js';
import { MEMBER_ID_DESCRIPTION, MEMBER_ID_PATTERN } from '../../access/member-id.js';
import { PARTNER_KINDS, type PartnerKind, ROLES, type Role } from '../../access/roles.js';
import { IsMemberId } from '../../http/member-id.js';
import { TERRITORIES } from '../territories/territories.js';

const TERRITORY_CODES = TERRITORIES.map((territory) => territory.code);

export class RegisterPartnerDto {
  @ApiProperty({ example: 'Mission locale de Thiers', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: PARTNER_KINDS })
  @IsIn(PARTNER_KINDS)
  kind!: PartnerKind;

  @ApiPropertyOptional({ type: String, example: '73282932000074', nullable: true, pattern: '^\\d{14}$', description: '14 digits; its checksum is verified' })
  @IsOptional()
  @Matches(/^\d{14}$/, { message: 'siret must be 14 digits' })
  siret?: string | null;

  @ApiProperty({ enum: TERRITORY_CODES, isArray: true, example: ['cc-thiers-dore-et-montagne'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsIn(TERRITORY_CODES, { each: true })
  territories!: string[];
}

export class UpdatePartnerDto {
  // Left out: unchanged. Unlike the SIRET, a name and territories cannot be removed: null is refused
  // (IsOptional would let it through to the decider).
  @ApiPropertyOptional({ maxLength: 200 })
  @ValidateIf((dto: UpdatePartnerDto) => dto.name !== undefined)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, pattern: '^\\d{14}$' })
  @IsOptional()
  @Matches(/^\d{14}$/, { message: 'siret must be 14 digits' })
  siret?: string | null;

  @ApiPropertyOptional({ enum: TERRITORY_CODES, isArray: true, description: 'Changed by a platform admin only' })
  @ValidateIf((dto: UpdatePartnerDto) => dto.territories !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsIn(TERRITORY_CODES, { each: true })
  territories?: string[];

  @ApiPropertyOptional({ enum: PARTNER_KINDS, description: 'Changed by a platform admin only' })
  @ValidateIf((dto: UpdatePartnerDto) => dto.kind !== undefined)
  @IsIn(PARTNER_KINDS)
  kind?: PartnerKind;
}

export class DeactivatePartnerDto {
  @ApiProperty({ enum: ['convention_ended', 'merged', 'created_in_error', 'other'] })
  @IsIn(['convention_ended', 'merged', 'created_in_error', 'other'])
  reason!: 'convention_ended' | 'merged' | 'created_in_error' | 'other';
}

export class AddMemberDto {
  @ApiProperty({
    description: `The \`sub\` of the person's identity (ProConnect): ${MEMBER_ID_DESCRIPTION}`,
    example: '8f14e45f-ea5e-4d8c-9e1a-2b7c3d4e5f60',
    pattern: MEMBER_ID_PATTERN.source,
  })
  @IsMemberId()
  userId!: string;

  @ApiProperty({ example: 'Camille Martin' })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}

export class ChangeRolesDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Logiciel de suivi de la mission locale' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    isArray: true,
    description: 'Granted by the rules that hold for members: coordinator and auditor by a platform admin only; auditor never with a caseworker role',
  })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true })
  scopes!: Role[];

  @ApiProperty({ format: 'date-time', example: '2027-06-30T00:00:00Z', description: 'At most two years ahead' })
  @IsISO8601({ strict: true })
  expiresAt!: string;
}

export class ListPartnersQuery {
  @ApiPropertyOptional({ enum: PARTNER_KINDS })
  @IsOptional()
  @IsIn(PARTNER_KINDS)
  kind?: PartnerKind;

  @ApiPropertyOptional({ enum: TERRITORY_CODES })
  @IsOptional()
  @IsIn(TERRITORY_CODES)
  territory?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}

export class PartnerResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PARTNER_KINDS }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) siret!: string | null;
  @ApiProperty({ type: [String] }) territories!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PartnerPageResponse {
  @ApiProperty({ type: [PartnerResponse] }) items!: PartnerResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class MemberResponse {
  @ApiProperty() userId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: string[];
  @ApiProperty({ format: 'date-time' }) addedAt!: string;
}

export class ApiKeyResponse {
  @ApiProperty() keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) scopes!: string[];
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) createdBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastUsedAt!: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The key itself, shown this once: send it as `Authorization: ApiKey <key>`' }) key!: string;
}

export class MeResponse {
  @ApiProperty({ enum: ['user', 'api_key'] }) kind!: string;
  @ApiPropertyOptional() userId?: string;
  @ApiPropertyOptional() apiKeyId?: string;
  @ApiPropertyOptional() displayName?: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: string[];
  @ApiProperty({ type: PartnerResponse }) organisation!: PartnerResponse;
}

export class TerritoryResponse {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) siren!: string | null;
  @ApiProperty() experimentation!: boolean;
}
