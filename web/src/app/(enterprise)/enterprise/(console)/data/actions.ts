'use server';

import { revalidatePath } from 'next/cache';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { RECORD_MANUAL_READING } from '@/lib/graphql/operations';

export interface ManualReadingState {
  status: 'idle' | 'saved' | 'invalid' | 'notAvailable' | 'error';
  fieldErrors?: Record<string, string[]>;
  code?: string;
  /** What the API answered for the reading (ACCEPTED, DUPLICATE, …). */
  result?: string;
}

/** The API accepts ≤ 4 MB decoded; the browser already downscales photos well below that. */
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** Manual meter reading with an optional photo of the dial (phone camera). */
export async function submitManualReading(
  _prev: ManualReadingState,
  form: FormData,
): Promise<ManualReadingState> {
  const enterpriseId = String(form.get('enterpriseId') ?? '');
  const [meterId, unit] = String(form.get('meter') ?? '').split('|');
  const value = String(form.get('value') ?? '').trim();
  const readAt = String(form.get('readAt') ?? '');
  const offset = String(form.get('tzOffset') ?? '');
  const fieldErrors: Record<string, string[]> = {};
  if (!meterId || !unit) fieldErrors.meterId = ['required'];
  if (!/^-?\d+(\.\d+)?$/.test(value)) fieldErrors.value = ['decimal'];
  const ts = readAt ? new Date(`${readAt}${/^[+-]\d{2}:\d{2}$/.test(offset) ? offset : 'Z'}`) : new Date();
  if (Number.isNaN(ts.getTime())) fieldErrors.ts = ['datetime'];
  const photo = form.get('photo');
  let photoFields: { photoBase64: string; photoContentType: string } | null = null;
  if (photo instanceof File && photo.size > 0) {
    if (!PHOTO_TYPES.has(photo.type) || photo.size > MAX_PHOTO_BYTES)
      fieldErrors.photoBase64 = ['JPEG/PNG/WebP ≤ 4 MB'];
    else
      photoFields = {
        photoBase64: Buffer.from(await photo.arrayBuffer()).toString('base64'),
        photoContentType: photo.type,
      };
  }
  if (Object.keys(fieldErrors).length > 0) return { status: 'invalid', fieldErrors };
  let result: string;
  try {
    const data = await authedRequest<{ recordManualReading: { status: string } }>(RECORD_MANUAL_READING, {
      input: { enterpriseId, meterId, unit, value, ts: ts.toISOString(), ...photoFields },
    });
    result = data.recordManualReading.status;
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      if (err.notAvailable) return { status: 'notAvailable' };
      if (err.code === 'BAD_USER_INPUT') {
        return {
          status: 'invalid',
          fieldErrors: err.errors[0]?.extensions?.fieldErrors ?? {},
          code: err.errors[0]?.message,
        };
      }
      return { status: 'error', code: err.code };
    }
    throw err;
  }
  revalidatePath('/enterprise');
  return { status: 'saved', result };
}
