import { Module } from '@nestjs/common';
import { PartnerDirectoryQueries } from './partner-directory.query.js';

/** The partner directory's reads alone: what the parcours write path looks up, without authentication or the partners API. */
@Module({ providers: [PartnerDirectoryQueries], exports: [PartnerDirectoryQueries] })
export class PartnerDirectoryModule {}
