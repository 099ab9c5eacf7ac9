import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { OPINIONS } from './report.chain';
import { REPORT_LANGUAGES } from './report.content';

@InputType()
export class GenerateReportInput {
  @Field(() => ID)
  @IsUUID()
  inventoryId: string;

  @Field(() => String, { description: 'zh-CN or en' })
  @IsIn(REPORT_LANGUAGES)
  language: string;

  @Field(() => ID, { nullable: true, description: 'The earlier report this one corrects.' })
  @IsOptional()
  @IsUUID()
  supersedesReportId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the earlier report is superseded (required with it).',
  })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  reason?: string | null;
}

@InputType()
export class RecordVerificationInput {
  @Field(() => ID)
  @IsUUID()
  reportId: string;

  @Field(() => String, { description: 'POSITIVE, QUALIFIED or NEGATIVE' })
  @IsIn(OPINIONS)
  opinion: string;

  @Field(() => String, { description: '0x + SHA-256 of the verification statement document.' })
  @Matches(/^0x[0-9a-fA-F]{64}$/)
  documentHash: string;
}
