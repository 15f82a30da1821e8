import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { DomainError } from '@vigil/domain/shared';
import { CorrelationId } from '../../http/request-context';
import { openApiSchema, ZodPipe } from '../../http/zod-body';
import { AuthenticatedRequest } from '../authenticated-request';
import { Public } from '../roles.decorator';
import { FLOW_COOKIE, OidcSignIn } from './oidc-sign-in';

export const OIDC_SIGN_IN = Symbol('OidcSignIn');

const FLOW_COOKIE_PATH = '/api/auth/oidc';

/** What the provider put on the redirect URL, relayed by the console page there. */
const callbackBody = z
  .object({
    code: z.string().min(1).max(4096).optional(),
    state: z.string().min(1).max(512).optional(),
    error: z.string().min(1).max(256).optional(),
    error_description: z.string().max(2000).optional(),
  })
  .strict();

/**
 * The console drives the flow: POST login → go to the provider → the provider redirects to OIDC_REDIRECT_URL (a
 * console page) → the console POSTs code and state here and gets a session token it uses like an API token.
 * JSON both ways, so every refusal reaches the sign-in page as a coded error.
 */
@ApiTags('auth')
@Controller('api/auth/oidc')
export class OidcController {
  constructor(@Inject(OIDC_SIGN_IN) private readonly signIn: OidcSignIn | null) {}

  /** Whether the sign-in page offers SSO. */
  @Get()
  @Public()
  status() {
    return { enabled: this.signIn !== null };
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  async login(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response, @CorrelationId() correlationId: string) {
    const signIn = this.configured();
    const started = await signIn.start(new Date(), { method: request.method, path: request.path, correlationId });
    response.cookie(FLOW_COOKIE, started.flowCookie, { httpOnly: true, sameSite: 'lax', secure: signIn.redirectsOverHttps, path: FLOW_COOKIE_PATH, maxAge: started.maxAgeSeconds * 1000 });
    return { authorizationUrl: started.authorizationUrl };
  }

  @Post('callback')
  @Public()
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(callbackBody) })
  async callback(
    @Body(new ZodPipe(callbackBody)) body: z.infer<typeof callbackBody>,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
    @CorrelationId() correlationId: string,
  ) {
    const signIn = this.configured();
    // One use per flow, whatever the outcome: a replayed callback finds no flow.
    response.clearCookie(FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
    const input = { code: body.code, state: body.state, error: body.error, errorDescription: body.error_description };
    return signIn.complete(input, cookieOf(request, FLOW_COOKIE), new Date(), { method: request.method, path: request.path, correlationId });
  }

  /** Ends an SSO session (the token stops working at once, on every replica); API tokens are unaffected. */
  @Post('sign-out')
  @HttpCode(204)
  async signOut(@Req() request: AuthenticatedRequest, @CorrelationId() correlationId: string): Promise<void> {
    if (request.consoleSession && this.signIn) await this.signIn.signOut(request.consoleSession, correlationId, new Date());
  }

  private configured(): OidcSignIn {
    if (!this.signIn) throw new DomainError('OIDC.NOT_CONFIGURED', 'not_found', 'Single sign-on is not configured on this server (OIDC_ISSUER_URL).');
    return this.signIn;
  }
}

function cookieOf(request: AuthenticatedRequest, name: string): string | undefined {
  for (const pair of (request.header('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return decodeURIComponent(pair.slice(at + 1).trim());
  }
  return undefined;
}
