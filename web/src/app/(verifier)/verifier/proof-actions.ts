'use server';

import { UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { INVENTORY_LINE_PROOF } from '@/lib/graphql/operations-views';

export type LineProofAnswer = { ok: true; proofJson: string } | { ok: false; code: string; message?: string };

/**
 * Fetches the disclosure package (opencep-proof/1) of one committed inventory line as the signed-in
 * verifier; the browser then verifies it itself (leaf, Merkle path, chain anchor).
 */
export async function fetchLineProofAction(
  enterpriseId: string,
  inventoryId: string,
  line: string,
): Promise<LineProofAnswer> {
  if (!UUID.test(enterpriseId) || !UUID.test(inventoryId) || line.length === 0 || line.length > 500)
    return { ok: false, code: 'BAD_USER_INPUT' };
  try {
    const r = await authedRequest<{ inventoryLineProof: { proofJson: string } }>(INVENTORY_LINE_PROOF, {
      enterpriseId,
      inventoryId,
      line,
    });
    return { ok: true, proofJson: r.inventoryLineProof.proofJson };
  } catch (err) {
    if (err instanceof GraphQLRequestError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
