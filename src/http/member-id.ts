import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { ProblemError } from './problem.js';
import { MEMBER_ID_DESCRIPTION, isMemberId } from '../access/member-id.js';

/** For DTO fields that name a member (their `sub`). */
export function IsMemberId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMemberId',
      validator: {
        validate: isMemberId,
        defaultMessage: (args) => `${args?.property ?? 'userId'} must be a user id (${MEMBER_ID_DESCRIPTION})`,
      },
    },
    options,
  );
}

/** For path parameters that name a member: refused with a 400 naming the segment, before any look-up. */
@Injectable()
export class ParseMemberIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isMemberId(value)) return value;
    const field = metadata.data ?? 'userId';
    throw new ProblemError(400, 'validation_failed', 'The request is invalid', '1 invalid field(s)', {
      errors: [{ field, message: `${field} must be a user id (${MEMBER_ID_DESCRIPTION})` }],
    });
  }
}
