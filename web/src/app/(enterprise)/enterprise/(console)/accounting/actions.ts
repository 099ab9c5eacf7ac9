'use server';

import { revalidatePath } from 'next/cache';
import { type ActionResult, DECIMAL, failed, UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import {
  ADJUST_QUOTA,
  GENERATE_REPORT,
  REPORT_TYPED_DATA,
  SET_QUOTA,
  SIGN_REPORT,
} from '@/lib/graphql/operations';

const PATH = '/enterprise/accounting';
const str = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const yearOf = (form: FormData) => Number(str(form, 'year'));
const validYear = (y: number) => Number.isInteger(y) && y >= 2000 && y <= 2200;

/** Enterprise-entered annual quota (used when the regulator has not issued one on chain). */
export async function setQuotaAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const enterpriseId = str(form, 'enterpriseId');
  const amount = str(form, 'amount');
  const year = yearOf(form);
  if (!UUID.test(enterpriseId) || !validYear(year)) return { status: 'invalid', code: 'year' };
  if (!DECIMAL.test(amount) || amount.startsWith('-')) return { status: 'invalid', code: 'amount' };
  try {
    const r = await authedRequest<{ setQuota: { id: string } }>(SET_QUOTA, {
      input: { enterpriseId, year, amount, reason: str(form, 'reason') || 'initial entry' },
    });
    revalidatePath(PATH);
    return { status: 'ok', ref: r.setQuota.id.slice(0, 8) };
  } catch (err) {
    return failed(err);
  }
}

/** A quota adjustment (delta in tCO2e, reason required). */
export async function adjustQuotaAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const enterpriseId = str(form, 'enterpriseId');
  const delta = str(form, 'delta');
  const reason = str(form, 'reason');
  const year = yearOf(form);
  if (!UUID.test(enterpriseId) || !validYear(year)) return { status: 'invalid', code: 'year' };
  if (!DECIMAL.test(delta)) return { status: 'invalid', code: 'delta' };
  if (reason === '') return { status: 'invalid', code: 'reason' };
  try {
    const r = await authedRequest<{ adjustQuota: { id: string } }>(ADJUST_QUOTA, {
      input: { enterpriseId, year, delta, reason },
    });
    revalidatePath(PATH);
    return { status: 'ok', ref: r.adjustQuota.id.slice(0, 8) };
  } catch (err) {
    return failed(err);
  }
}

/** JSON + PDF + XLSX report of a FINAL inventory, in the chosen language. */
export async function generateReportAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const inventoryId = str(form, 'inventoryId');
  const language = str(form, 'language');
  if (!UUID.test(inventoryId)) return { status: 'invalid', code: 'inventoryId' };
  if (language !== 'zh-CN' && language !== 'en') return { status: 'invalid', code: 'language' };
  try {
    const r = await authedRequest<{ generateReport: { id: string } }>(GENERATE_REPORT, {
      input: { inventoryId, language },
    });
    revalidatePath(PATH);
    return { status: 'ok', ref: r.generateReport.id.slice(0, 8) };
  } catch (err) {
    return failed(err);
  }
}

/** The EIP-712 report message for the wallet (eth_signTypedData_v4 JSON). */
export async function reportTypedDataAction(
  reportId: string,
): Promise<{ ok: true; json: string } | { ok: false; code: string; message: string }> {
  if (!UUID.test(reportId)) return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid report id' };
  try {
    const r = await authedRequest<{ reportTypedData: { json: string } }>(REPORT_TYPED_DATA, { reportId });
    return { ok: true, json: r.reportTypedData.json };
  } catch (err) {
    const f = failed(err);
    return { ok: false, code: f.code ?? 'UNKNOWN', message: f.message ?? '' };
  }
}

/** Hands the wallet's signature to the API, which verifies it and queues the report anchor. */
export async function signReportAction(
  reportId: string,
  signature: string,
  signer: string,
): Promise<{ ok: true; state: string } | { ok: false; code: string; message: string }> {
  if (!UUID.test(reportId) || !/^0x[0-9a-fA-F]{130}$/.test(signature) || !/^0x[0-9a-fA-F]{40}$/.test(signer))
    return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid signature' };
  try {
    const r = await authedRequest<{ signReport: { state: string } }>(SIGN_REPORT, {
      reportId,
      signature,
      signer,
    });
    revalidatePath(PATH);
    return { ok: true, state: r.signReport.state };
  } catch (err) {
    const f = failed(err);
    return { ok: false, code: f.code ?? 'UNKNOWN', message: f.message ?? '' };
  }
}
