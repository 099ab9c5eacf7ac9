import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Authenticated, Can, Public } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ApiKey, Device, User } from './identity.entity';
import { CreateApiKeyInput, CreateUserInput, GrantInput, RegisterDeviceInput } from './identity.inputs';
import { IdentityService } from './identity.service';
import { ApiKeyCreated, AuthPayload, Viewer } from './identity.types';

@Resolver()
export class SessionResolver {
  @Public()
  @Mutation(() => AuthPayload, { description: 'Email + password → access token (15 min) + refresh token.' })
  login(
    @Ctx() ctx: RequestContext,
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
  ) {
    return IdentityService.login(ctx.db, ctx.settings, email, password);
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Single-use rotation; reuse revokes the whole session.' })
  refreshSession(@Ctx() ctx: RequestContext, @Arg('refreshToken', () => String) refreshToken: string) {
    return IdentityService.refresh(ctx.db, ctx.settings, refreshToken);
  }

  @Authenticated()
  @Mutation(() => Boolean, { description: 'Revokes the current session (all its tokens).' })
  logout(@Ctx() ctx: RequestContext) {
    return IdentityService.logout(ctx);
  }

  @Authenticated()
  @Query(() => Viewer)
  me(@Ctx() ctx: RequestContext) {
    return IdentityService.viewer(ctx);
  }
}

@Resolver(() => User)
export class UserAdminResolver {
  @Can('platform:ops')
  @Query(() => [User], { description: 'Platform admin: user accounts, newest first (1–500, default 100).' })
  users(@Ctx() ctx: RequestContext, @Arg('first', () => Int, { defaultValue: 100 }) first: number) {
    return IdentityService.listUsers(ctx, first);
  }

  @Can('users:manage')
  @Mutation(() => User)
  createUser(@Ctx() ctx: RequestContext, @Arg('input', () => CreateUserInput) input: CreateUserInput) {
    return IdentityService.createUser(ctx, input);
  }

  @Can('users:manage')
  @Mutation(() => Boolean)
  grantRole(
    @Ctx() ctx: RequestContext,
    @Arg('userId', () => ID) userId: string,
    @Arg('grant', () => GrantInput) grant: GrantInput,
  ) {
    return IdentityService.grantRole(ctx, userId, grant);
  }

  @Can('users:manage')
  @Mutation(() => Boolean)
  revokeGrant(@Ctx() ctx: RequestContext, @Arg('grantId', () => ID) grantId: string) {
    return IdentityService.revokeGrant(ctx, grantId);
  }
}

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Can('apikeys:manage', { enterprise: 'args.enterpriseId' })
  @Query(() => [ApiKey])
  apiKeys(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return IdentityService.listApiKeys(ctx, enterpriseId);
  }

  @Can('apikeys:manage')
  @Mutation(() => ApiKeyCreated)
  createApiKey(@Ctx() ctx: RequestContext, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput) {
    return IdentityService.createApiKey(ctx, input);
  }

  @Can('apikeys:manage')
  @Mutation(() => ApiKey)
  revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return IdentityService.revokeApiKey(ctx, id);
  }
}

@Resolver(() => Device)
export class DeviceResolver {
  @Can('devices:manage', { enterprise: 'args.enterpriseId' })
  @Query(() => [Device])
  devices(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return IdentityService.listDevices(ctx, enterpriseId);
  }

  @Can('devices:manage', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => Device)
  registerDevice(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RegisterDeviceInput) input: RegisterDeviceInput,
  ) {
    return IdentityService.registerDevice(ctx, input);
  }

  @Can('devices:manage')
  @Mutation(() => Device)
  revokeDevice(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return IdentityService.revokeDevice(ctx, id);
  }
}
