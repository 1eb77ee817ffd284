import { Module } from '@nestjs/common';
import { PartnersModule } from '../partners/partners.module.js';
import { ApiCall } from './api-call.js';
import { OidcSignIn } from './oidc-sign-in.js';
import { ReferentController } from './referent.controller.js';
import { TerritoryController } from './territory.controller.js';
import { RupturesController } from './ruptures.controller.js';
import { OrganisationController } from './organisation.controller.js';
import { AuditPagesController } from './audit.controller.js';
import { CaomPagesController } from './caom.controller.js';
import { ProjectionsModule } from '../projections/projections.module.js';
import { SignInController } from './sign-in.controller.js';
import { WebGuard } from './web-auth.js';
import { WebSessions } from './web-sessions.js';

/** The server-rendered pages (French, DSFR) under /web/, signed in by session; the plugins they need: web-plugins.ts. */
@Module({
  imports: [PartnersModule, ProjectionsModule],
  controllers: [SignInController, ReferentController, TerritoryController, RupturesController, OrganisationController, AuditPagesController, CaomPagesController],
  providers: [WebSessions, OidcSignIn, WebGuard, ApiCall],
})
export class WebModule {}
