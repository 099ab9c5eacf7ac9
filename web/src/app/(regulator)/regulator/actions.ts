'use server';

import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';

const ISSUE_QUOTA_WITH_ACCOUNT_KEY = `mutation PortalIssueQuotaWithAccountKey($enterpriseId: ID!, $year: Int!, $amount: String!, $reason: String!) {
  issueQuotaWithAccountKey(enterpriseId: $enterpriseId, year: $year, amount: $amount, reason: $reason) { txHash blockNumber amountGrams }
}`;

export type IssueResult =
  | { ok: true; txHash: string; blockNumber: number }
  | { ok: false; code: string; reason?: string; message: string };

/**
 * Quota issuance without a browser wallet: the API sends QuotaRegistry.issueQuota from the key it
 * holds for this regulator (the contract still checks REGULATOR_ROLE). Never throws to the client.
 */
export async function issueQuotaWithAccountKey(
  enterpriseId: string,
  year: number,
  amount: string,
  reason: string,
): Promise<IssueResult> {
  if (!/^[0-9a-f-]{36}$/i.test(enterpriseId) || !Number.isInteger(year) || !/^\d+(\.\d+)?$/.test(amount))
    return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid quota' };
  try {
    const data = await authedRequest<{ issueQuotaWithAccountKey: { txHash: string; blockNumber: number } }>(
      ISSUE_QUOTA_WITH_ACCOUNT_KEY,
      { enterpriseId, year, amount, reason },
    );
    return { ok: true, ...data.issueQuotaWithAccountKey };
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      const ext = err.errors[0]?.extensions as { reason?: string } | undefined;
      return { ok: false, code: err.code, reason: ext?.reason, message: err.message };
    }
    return { ok: false, code: 'UNKNOWN', message: 'unexpected error' };
  }
}
