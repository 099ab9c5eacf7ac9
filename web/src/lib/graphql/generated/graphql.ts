/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** Exact decimal number serialised as a string, e.g. "1234.5678". */
  Decimal: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
};

/** Machine credential. Only the prefix is ever shown after creation. */
export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** Public part of the key, e.g. ock_3f9a1c2b. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
};

export type ApiKeyCreated = {
  __typename?: 'ApiKeyCreated';
  apiKey: ApiKey;
  /** The full key. Shown once; only its hash is stored. */
  secret: Scalars['String']['output'];
};

/** Workshop or other area of a site (welding, machining, painting, …). */
export type Area = {
  __typename?: 'Area';
  createdAt: Scalars['DateTime']['output'];
  enterpriseId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  /** WORKSHOP, UTILITIES, OFFICE, WAREHOUSE, … */
  kind: Scalars['String']['output'];
  lines: Array<Line>;
  name: Scalars['String']['output'];
  siteId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type AuditEntry = {
  __typename?: 'AuditEntry';
  action: Scalars['String']['output'];
  actorId?: Maybe<Scalars['String']['output']>;
  /** user, apiKey, device, system */
  actorKind: Scalars['String']['output'];
  after?: Maybe<Scalars['JSON']['output']>;
  at: Scalars['DateTime']['output'];
  before?: Maybe<Scalars['JSON']['output']>;
  enterpriseId?: Maybe<Scalars['ID']['output']>;
  entity: Scalars['String']['output'];
  entityId?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  requestId?: Maybe<Scalars['String']['output']>;
};

export type AuditEntryConnection = {
  __typename?: 'AuditEntryConnection';
  edges: Array<AuditEntryEdge>;
  pageInfo: PageInfo;
};

export type AuditEntryEdge = {
  __typename?: 'AuditEntryEdge';
  cursor: Scalars['String']['output'];
  node: AuditEntry;
};

export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** JWT (HS256), 15 minutes. Send as `Authorization: Bearer …`. */
  accessToken: Scalars['String']['output'];
  accessTokenExpiresAt: Scalars['DateTime']['output'];
  /** Opaque, single use: exchange with refreshSession for a new pair. */
  refreshToken: Scalars['String']['output'];
  refreshTokenExpiresAt: Scalars['DateTime']['output'];
  user: User;
};

export type CreateApiKeyInput = {
  grant: GrantInput;
  name: Scalars['String']['input'];
};

export type CreateAreaInput = {
  kind?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  siteId: Scalars['ID']['input'];
};

export type CreateEnterpriseInput = {
  creditCode?: InputMaybe<Scalars['String']['input']>;
  industry?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  parkId: Scalars['ID']['input'];
};

export type CreateEquipmentInput = {
  code: Scalars['String']['input'];
  kind?: InputMaybe<Scalars['String']['input']>;
  lineId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
  ratedPowerKw?: InputMaybe<Scalars['Decimal']['input']>;
};

export type CreateLineInput = {
  areaId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
  product?: InputMaybe<Scalars['String']['input']>;
};

export type CreateParkInput = {
  /** Administrative region code, e.g. CN-HN-CS. */
  jurisdiction: Scalars['String']['input'];
  name: Scalars['String']['input'];
};

export type CreateSiteInput = {
  address?: InputMaybe<Scalars['String']['input']>;
  enterpriseId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};

export type CreateUserInput = {
  displayName: Scalars['String']['input'];
  email: Scalars['String']['input'];
  grant: GrantInput;
  password: Scalars['String']['input'];
};

/** Edge device/gateway proving itself with a secp256k1 key. */
export type Device = {
  __typename?: 'Device';
  /** EVM address of the device key (lower-case 0x…). */
  address: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  enterpriseId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
};

/** A tenant: one company (plant) in a park. */
export type Enterprise = {
  __typename?: 'Enterprise';
  createdAt: Scalars['DateTime']['output'];
  /** Unified social credit code. */
  creditCode?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  industry: Scalars['String']['output'];
  name: Scalars['String']['output'];
  park?: Maybe<Park>;
  parkId: Scalars['ID']['output'];
  sites: Array<Site>;
  updatedAt: Scalars['DateTime']['output'];
};

export type EnterpriseConnection = {
  __typename?: 'EnterpriseConnection';
  edges: Array<EnterpriseEdge>;
  pageInfo: PageInfo;
};

export type EnterpriseEdge = {
  __typename?: 'EnterpriseEdge';
  cursor: Scalars['String']['output'];
  node: Enterprise;
};

export type Equipment = {
  __typename?: 'Equipment';
  /** Asset code, unique within the enterprise. */
  code: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  enterpriseId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  kind: Scalars['String']['output'];
  lineId: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  ratedPowerKw?: Maybe<Scalars['Decimal']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

export type Grant = {
  __typename?: 'Grant';
  /** null for grants derived from a device key */
  id?: Maybe<Scalars['ID']['output']>;
  role: Role;
  scopeId?: Maybe<Scalars['String']['output']>;
  scopeType: ScopeType;
};

export type GrantInput = {
  role: Role;
  /** enterprise id, park id, jurisdiction code or association id; omit for PLATFORM_ADMIN */
  scopeId?: InputMaybe<Scalars['String']['input']>;
};

/** Production line inside an area. */
export type Line = {
  __typename?: 'Line';
  areaId: Scalars['ID']['output'];
  createdAt: Scalars['DateTime']['output'];
  enterpriseId: Scalars['ID']['output'];
  equipment: Array<Equipment>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  product?: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  createApiKey: ApiKeyCreated;
  createArea: Area;
  createEnterprise: Enterprise;
  createEquipment: Equipment;
  createLine: Line;
  createPark: Park;
  createSite: Site;
  createUser: User;
  deleteArea: Scalars['ID']['output'];
  deleteEquipment: Scalars['ID']['output'];
  deleteLine: Scalars['ID']['output'];
  deleteSite: Scalars['ID']['output'];
  grantRole: Scalars['Boolean']['output'];
  /** Email + password → access token (15 min) + refresh token. */
  login: AuthPayload;
  /** Revokes the current session (all its tokens). */
  logout: Scalars['Boolean']['output'];
  /** Single-use rotation; reuse revokes the whole session. */
  refreshSession: AuthPayload;
  registerDevice: Device;
  revokeApiKey: ApiKey;
  revokeDevice: Device;
  revokeGrant: Scalars['Boolean']['output'];
  updateArea: Area;
  updateEnterprise: Enterprise;
  updateEquipment: Equipment;
  updateLine: Line;
  updatePark: Park;
  updateSite: Site;
};


export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


export type MutationCreateAreaArgs = {
  input: CreateAreaInput;
};


export type MutationCreateEnterpriseArgs = {
  input: CreateEnterpriseInput;
};


export type MutationCreateEquipmentArgs = {
  input: CreateEquipmentInput;
};


export type MutationCreateLineArgs = {
  input: CreateLineInput;
};


export type MutationCreateParkArgs = {
  input: CreateParkInput;
};


export type MutationCreateSiteArgs = {
  input: CreateSiteInput;
};


export type MutationCreateUserArgs = {
  input: CreateUserInput;
};


export type MutationDeleteAreaArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteEquipmentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteLineArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteSiteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationGrantRoleArgs = {
  grant: GrantInput;
  userId: Scalars['ID']['input'];
};


export type MutationLoginArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationRefreshSessionArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRegisterDeviceArgs = {
  input: RegisterDeviceInput;
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeDeviceArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeGrantArgs = {
  grantId: Scalars['ID']['input'];
};


export type MutationUpdateAreaArgs = {
  id: Scalars['ID']['input'];
  input: UpdateAreaInput;
};


export type MutationUpdateEnterpriseArgs = {
  id: Scalars['ID']['input'];
  input: UpdateEnterpriseInput;
};


export type MutationUpdateEquipmentArgs = {
  id: Scalars['ID']['input'];
  input: UpdateEquipmentInput;
};


export type MutationUpdateLineArgs = {
  id: Scalars['ID']['input'];
  input: UpdateLineInput;
};


export type MutationUpdateParkArgs = {
  id: Scalars['ID']['input'];
  input: UpdateParkInput;
};


export type MutationUpdateSiteArgs = {
  id: Scalars['ID']['input'];
  input: UpdateSiteInput;
};

/** A change to the plant tree, pushed to subscribers of the same enterprise. */
export type OrgChange = {
  __typename?: 'OrgChange';
  /** CREATED, UPDATED or DELETED */
  action: Scalars['String']['output'];
  enterpriseId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  /** Site, Area, Line or Equipment */
  kind: Scalars['String']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** Industrial park: the unit a park admin oversees. */
export type Park = {
  __typename?: 'Park';
  createdAt: Scalars['DateTime']['output'];
  enterprises: Array<Enterprise>;
  id: Scalars['ID']['output'];
  /** Administrative region code whose regulator oversees the park. */
  jurisdiction: Scalars['String']['output'];
  name: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type ParkConnection = {
  __typename?: 'ParkConnection';
  edges: Array<ParkEdge>;
  pageInfo: PageInfo;
};

export type ParkEdge = {
  __typename?: 'ParkEdge';
  cursor: Scalars['String']['output'];
  node: Park;
};

export type Query = {
  __typename?: 'Query';
  apiKeys: Array<ApiKey>;
  area: Area;
  /** Append-only change history of an enterprise. */
  auditLog: AuditEntryConnection;
  devices: Array<Device>;
  enterprise: Enterprise;
  /** Enterprises visible to the caller (own, park, jurisdiction). */
  enterprises: EnterpriseConnection;
  equipmentItem: Equipment;
  line: Line;
  me: Viewer;
  park: Park;
  parks: ParkConnection;
  site: Site;
};


export type QueryApiKeysArgs = {
  enterpriseId: Scalars['ID']['input'];
};


export type QueryAreaArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAuditLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  enterpriseId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryDevicesArgs = {
  enterpriseId: Scalars['ID']['input'];
};


export type QueryEnterpriseArgs = {
  id: Scalars['ID']['input'];
};


export type QueryEnterprisesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  parkId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryEquipmentItemArgs = {
  id: Scalars['ID']['input'];
};


export type QueryLineArgs = {
  id: Scalars['ID']['input'];
};


export type QueryParkArgs = {
  id: Scalars['ID']['input'];
};


export type QueryParksArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySiteArgs = {
  id: Scalars['ID']['input'];
};

export type RegisterDeviceInput = {
  /** EVM address (0x + 40 hex) of the device secp256k1 key. */
  address: Scalars['String']['input'];
  enterpriseId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};

export type Role =
  | 'ASSOCIATION_MEMBER'
  | 'DEVICE'
  | 'ENTERPRISE_ADMIN'
  | 'ENTERPRISE_OPERATOR'
  | 'PARK_ADMIN'
  | 'PLATFORM_ADMIN'
  | 'REGULATOR'
  | 'VERIFIER';

export type ScopeType =
  | 'ASSOCIATION'
  | 'ENTERPRISE'
  | 'JURISDICTION'
  | 'PARK'
  | 'PLATFORM';

export type Site = {
  __typename?: 'Site';
  address?: Maybe<Scalars['String']['output']>;
  areas: Array<Area>;
  createdAt: Scalars['DateTime']['output'];
  enterpriseId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Plant tree changes in the enterprises the caller may read. */
  orgChanged: OrgChange;
};

export type UpdateAreaInput = {
  kind?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateEnterpriseInput = {
  industry?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateEquipmentInput = {
  kind?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  ratedPowerKw?: InputMaybe<Scalars['Decimal']['input']>;
};

export type UpdateLineInput = {
  name?: InputMaybe<Scalars['String']['input']>;
  product?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateParkInput = {
  name?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateSiteInput = {
  address?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};

export type User = {
  __typename?: 'User';
  createdAt: Scalars['DateTime']['output'];
  disabledAt?: Maybe<Scalars['DateTime']['output']>;
  displayName: Scalars['String']['output'];
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
};

/** The caller: who it is, what it holds, and the permissions that follow. */
export type Viewer = {
  __typename?: 'Viewer';
  grants: Array<Grant>;
  /** user, apiKey or device */
  kind: Scalars['String']['output'];
  /** Permission names from the shared table (api/src/core/permissions.ts). */
  permissions: Array<Scalars['String']['output']>;
  user?: Maybe<User>;
};

export type LoginMutationVariables = Exact<{
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'AuthPayload', accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { __typename?: 'User', id: string, email: string, displayName: string } } };

export type RefreshSessionMutationVariables = Exact<{
  refreshToken: Scalars['String']['input'];
}>;


export type RefreshSessionMutation = { __typename?: 'Mutation', refreshSession: { __typename?: 'AuthPayload', accessToken: string, refreshToken: string } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename?: 'Query', me: { __typename?: 'Viewer', kind: string, permissions: Array<string>, grants: Array<{ __typename?: 'Grant', role: Role, scopeType: ScopeType, scopeId?: string | null }> } };

export type EnterpriseTreeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type EnterpriseTreeQuery = { __typename?: 'Query', enterprise: { __typename?: 'Enterprise', id: string, name: string, sites: Array<{ __typename?: 'Site', id: string, name: string, areas: Array<{ __typename?: 'Area', id: string, name: string, kind: string, lines: Array<{ __typename?: 'Line', id: string, name: string, equipment: Array<{ __typename?: 'Equipment', id: string, code: string, name: string, ratedPowerKw?: string | null }> }> }> }> } };

export type OrgChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type OrgChangedSubscription = { __typename?: 'Subscription', orgChanged: { __typename?: 'OrgChange', kind: string, action: string, id: string, enterpriseId: string } };


export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RefreshSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}}]}}]}}]} as unknown as DocumentNode<RefreshSessionMutation, RefreshSessionMutationVariables>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"}},{"kind":"Field","name":{"kind":"Name","value":"grants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"scopeType"}},{"kind":"Field","name":{"kind":"Name","value":"scopeId"}}]}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const EnterpriseTreeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"EnterpriseTree"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enterprise"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"sites"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"areas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"equipment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ratedPowerKw"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<EnterpriseTreeQuery, EnterpriseTreeQueryVariables>;
export const OrgChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OrgChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orgChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"enterpriseId"}}]}}]}}]} as unknown as DocumentNode<OrgChangedSubscription, OrgChangedSubscriptionVariables>;