import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MUTATING_ROLES, User } from '@vigil/application';
import { CurrentUser } from '../../auth/roles.decorator';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  /** Who the token belongs to, so a UI can show and disable what this person may not do. */
  @Get()
  me(@CurrentUser() user: User) {
    return { id: user.id, roles: user.roles, email: user.email, canChange: user.roles.some((role) => MUTATING_ROLES.includes(role)) };
  }
}
