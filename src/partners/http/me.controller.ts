import { Get, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { EVERYONE } from '../../access/functions.js';
import { CurrentPrincipal, Roles } from '../../access/access.decorators.js';
import type { Principal } from '../../access/principal.js';
import { GetMember, GetPartner } from '../partner-read.js';
import { TERRITORIES, type Territory } from '../territories/territories.js';
import { MeResponse, TerritoryResponse } from './partner.dto.js';
import { ApiController } from '../../http/api-controller.js';

@ApiController('partners', 'v1')
export class MeController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get('me')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'Who am I: identity, roles, organisation' })
  @ApiOkResponse({ type: MeResponse })
  async me(@CurrentPrincipal() principal: Principal) {
    const [organisation, member] = await Promise.all([
      this.queries.execute(new GetPartner(principal.partnerId)),
      principal.userId ? this.queries.execute(new GetMember(principal.userId)) : undefined,
    ]);
    return {
      kind: principal.kind,
      ...(principal.userId ? { userId: principal.userId } : {}),
      ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
      ...(member ? { displayName: member.displayName } : {}),
      roles: principal.roles,
      organisation,
    };
  }

  @Get('territories')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'The territory reference (EPCI) shipped with the service' })
  @ApiOkResponse({ type: [TerritoryResponse] })
  territories(): readonly Territory[] {
    return TERRITORIES;
  }
}
