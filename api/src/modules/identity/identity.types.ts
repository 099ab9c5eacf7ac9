import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ROLES, SCOPE_TYPES } from '../../core/permissions';
import { ApiKey, User } from './identity.entity';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as { [K in (typeof ROLES)[number]]: K };
export const ScopeTypeEnum = Object.fromEntries(SCOPE_TYPES.map((s) => [s, s])) as {
  [K in (typeof SCOPE_TYPES)[number]]: K;
};
registerEnumType(RoleEnum, { name: 'Role' });
registerEnumType(ScopeTypeEnum, { name: 'ScopeType' });

@ObjectType()
export class Grant {
  @Field(() => ID, { nullable: true, description: 'null for grants derived from a device key' })
  id: string | null;

  @Field(() => RoleEnum)
  role: keyof typeof RoleEnum;

  @Field(() => ScopeTypeEnum)
  scopeType: keyof typeof ScopeTypeEnum;

  @Field(() => String, { nullable: true })
  scopeId: string | null;
}

@ObjectType({ description: 'The caller: who it is, what it holds, and the permissions that follow.' })
export class Viewer {
  @Field(() => String, { description: 'user, apiKey or device' })
  kind: string;

  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => [Grant])
  grants: Grant[];

  @Field(() => [String], {
    description: 'Permission names from the shared table (api/src/core/permissions.ts).',
  })
  permissions: string[];
}

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'JWT (HS256), 15 minutes. Send as `Authorization: Bearer …`.' })
  accessToken: string;

  @Field(() => Date)
  accessTokenExpiresAt: Date;

  @Field(() => String, { description: 'Opaque, single use: exchange with refreshSession for a new pair.' })
  refreshToken: string;

  @Field(() => Date)
  refreshTokenExpiresAt: Date;

  @Field(() => User)
  user: User;
}

@ObjectType()
export class ApiKeyCreated {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field(() => String, { description: 'The full key. Shown once; only its hash is stored.' })
  secret: string;
}
