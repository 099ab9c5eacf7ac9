import { IsEmail, IsEnum, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import type { Role } from '../../core/permissions';
import { RoleEnum } from './identity.types';

@InputType()
export class GrantInput {
  @Field(() => RoleEnum)
  @IsEnum(RoleEnum)
  role: Role;

  @Field(() => String, {
    nullable: true,
    description: 'enterprise id, park id, jurisdiction code or association id; omit for PLATFORM_ADMIN',
  })
  @IsOptional()
  @MaxLength(64)
  scopeId?: string;
}

@InputType()
export class CreateUserInput {
  @Field(() => String)
  @IsEmail()
  email: string;

  @Field(() => String)
  @Length(1, 200)
  displayName: string;

  @Field(() => String)
  @Length(10, 200, { message: 'password must be at least 10 characters' })
  password: string;

  @Field(() => GrantInput)
  @ValidateNested()
  grant: GrantInput;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String)
  @Length(1, 100)
  name: string;

  @Field(() => GrantInput)
  @ValidateNested()
  grant: GrantInput;
}

@InputType()
export class RegisterDeviceInput {
  @Field(() => ID)
  @Matches(/^[0-9a-f-]{36}$/i)
  enterpriseId: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { description: 'EVM address (0x + 40 hex) of the device secp256k1 key.' })
  @Matches(/^0x[0-9a-fA-F]{40}$/, { message: 'address must be 0x followed by 40 hex digits' })
  address: string;
}
