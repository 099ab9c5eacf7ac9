import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Canvas of a park layout: positions are in these abstract units (the portal scales the SVG). */
export const PARK_LAYOUT_WIDTH = 1000;
export const PARK_LAYOUT_HEIGHT = 600;

/** One summary per member, most severe first: the portal shows it by colour and by icon/text. */
export enum ParkLayoutStatus {
  NOT_SHARING = 'NOT_SHARING',
  QUOTA_WARNING = 'QUOTA_WARNING',
  ALARM = 'ALARM',
  STALE = 'STALE',
  NO_DATA = 'NO_DATA',
  OK = 'OK',
}
registerEnumType(ParkLayoutStatus, {
  name: 'ParkLayoutStatus',
  description:
    'Summary status of a member on the layout: NOT_SHARING (no consent, no figures shown), QUOTA_WARNING, ALARM (open alarms), STALE (last reading older than 24 h), NO_DATA (no reading), OK.',
});

@ObjectType()
export class ParkLayoutPoint {
  @Field(() => Float) x: number;
  @Field(() => Float) y: number;
}

@InputType()
export class ParkLayoutPointInput {
  @Field(() => Float) x: number;
  @Field(() => Float) y: number;
}

@ObjectType({ description: 'A member enterprise on the park layout with its live status.' })
export class ParkLayoutMember {
  @Field(() => ID) enterpriseId: string;
  @Field(() => String) name: string;
  @Field(() => Boolean, { description: 'False when the park admin has not placed it yet (x, y null).' })
  placed: boolean;
  @Field(() => Float, { nullable: true }) x: number | null;
  @Field(() => Float, { nullable: true }) y: number | null;
  @Field(() => String, { nullable: true }) label: string | null;
  @Field(() => [ParkLayoutPoint], { nullable: true }) outline: ParkLayoutPoint[] | null;
  @Field(() => Boolean, {
    description: 'Shares its aggregates with the park (status fields null otherwise).',
  })
  sharing: boolean;
  @Field(() => ParkLayoutStatus) status: ParkLayoutStatus;
  @Field(() => Boolean, { nullable: true, description: 'Forecast or final year above the quota.' })
  quotaWarning: boolean | null;
  @Field(() => String, { nullable: true }) quotaSource: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Open (not cleared) alarms; null when the viewer may not read alarm aggregates.',
  })
  openAlarms: number | null;
  @Field(() => Date, { nullable: true, description: 'Data freshness: last reading received' })
  lastReadingAt: Date | null;
  @Field(() => Date, { nullable: true }) updatedAt: Date | null;
}

@ObjectType({ description: 'Layout of a park: canvas size and every member enterprise.' })
export class ParkLayout {
  @Field(() => ID) parkId: string;
  @Field(() => String) parkName: string;
  @Field(() => Int) year: number;
  @Field(() => Int) width: number;
  @Field(() => Int) height: number;
  @Field(() => [ParkLayoutMember]) members: ParkLayoutMember[];
}

@ObjectType()
export class ParkLayoutPosition {
  @Field(() => ID) parkId: string;
  @Field(() => ID) enterpriseId: string;
  @Field(() => Float) x: number;
  @Field(() => Float) y: number;
  @Field(() => String, { nullable: true }) label: string | null;
  @Field(() => [ParkLayoutPoint], { nullable: true }) outline: ParkLayoutPoint[] | null;
  @Field(() => Date) updatedAt: Date;
}
