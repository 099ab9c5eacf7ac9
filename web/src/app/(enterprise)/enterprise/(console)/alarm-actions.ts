'use server';

import { revalidatePath } from 'next/cache';
import { type ActionResult, failed, UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { ACKNOWLEDGE_ALARM } from '@/lib/graphql/operations';

/** Acknowledges an open alarm (the API records who and when). */
export async function acknowledgeAlarmAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const enterpriseId = String(form.get('enterpriseId') ?? '');
  const id = String(form.get('id') ?? '');
  const note = String(form.get('note') ?? '').trim();
  if (!UUID.test(enterpriseId) || !UUID.test(id)) return { status: 'invalid', code: 'id' };
  try {
    const r = await authedRequest<{ acknowledgeAlarm: { status: string } }>(ACKNOWLEDGE_ALARM, {
      enterpriseId,
      id,
      note: note || null,
    });
    revalidatePath('/enterprise');
    return { status: 'ok', ref: r.acknowledgeAlarm.status };
  } catch (err) {
    return failed(err);
  }
}
