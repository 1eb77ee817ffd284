import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, type ReferenceObject, type SchemaObject, getSchemaPath } from '@nestjs/swagger';

/**
 * The media types an operation answers with, each with its own schema: the JSON answer is the
 * documented class, a CSV or an HTML page is text (not the JSON schema reused), so that a client
 * generated from the document knows what it gets for each `Accept`.
 */
export interface Representations {
  csv?: string;
  html?: string;
  /** The JSON answer is an array of the class. */
  isArray?: boolean;
}

const CSV: SchemaObject = {
  type: 'string',
  description: 'CSV in UTF-8 with a byte order mark, fields separated by `;`, lines by CRLF, the first line naming the columns (in French)',
};

export function ApiRepresentations(type: Type<unknown>, representations: Representations) {
  const json: SchemaObject | ReferenceObject = representations.isArray ? { type: 'array', items: { $ref: getSchemaPath(type) } } : { $ref: getSchemaPath(type) };
  return applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      description: ['JSON (the default)', representations.csv && `CSV with Accept: text/csv (${representations.csv})`, representations.html && `an HTML page with Accept: text/html (${representations.html})`]
        .filter(Boolean)
        .join('; '),
      content: {
        'application/json': { schema: json },
        ...(representations.csv ? { 'text/csv': { schema: CSV } } : {}),
        ...(representations.html ? { 'text/html': { schema: { type: 'string', description: 'A page in French, printable' } } } : {}),
      },
    }),
  );
}
