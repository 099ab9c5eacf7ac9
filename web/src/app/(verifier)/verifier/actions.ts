'use server';

import { revalidatePath } from 'next/cache';
import { type ActionResult, failed, UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { RECORD_VERIFICATION } from '@/lib/graphql/operations';

const OPINIONS = new Set(['POSITIVE', 'QUALIFIED', 'NEGATIVE']);

/** Records the verifier's statement on a granted report (hash of the statement document). */
export async function recordStatementAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const reportId = String(form.get('reportId') ?? '');
  const opinion = String(form.get('opinion') ?? '');
  const documentHash = String(form.get('documentHash') ?? '').trim();
  if (!UUID.test(reportId)) return { status: 'invalid', code: 'reportId' };
  if (!OPINIONS.has(opinion)) return { status: 'invalid', code: 'opinion' };
  if (!/^0x[0-9a-f]{64}$/i.test(documentHash)) return { status: 'invalid', code: 'documentHash' };
  try {
    const r = await authedRequest<{ recordVerification: { id: string; chainError: string | null } }>(
      RECORD_VERIFICATION,
      { input: { reportId, opinion, documentHash } },
    );
    revalidatePath('/verifier');
    return {
      status: 'ok',
      ref: r.recordVerification.chainError ?? r.recordVerification.id.slice(0, 8),
    };
  } catch (err) {
    return failed(err);
  }
}
