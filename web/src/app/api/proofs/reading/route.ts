import { type NextRequest, NextResponse } from 'next/server';
import { UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { READING_PROOF } from '@/lib/graphql/operations';

/**
 * Downloads the disclosure package (opencep-proof/1 JSON) of one committed reading, for a verifier
 * to check in the browser or with `npx opencep-verify`. The API authorises the read.
 */
export async function GET(req: NextRequest) {
  const q = req.nextUrl.searchParams;
  const enterpriseId = q.get('enterpriseId') ?? '';
  const meterId = q.get('meterId') ?? '';
  const ts = new Date(q.get('ts') ?? '');
  if (!UUID.test(enterpriseId) || !UUID.test(meterId) || Number.isNaN(ts.getTime()))
    return new NextResponse('enterpriseId, meterId (uuid) and ts (ISO time) are required', { status: 400 });
  try {
    const r = await authedRequest<{ readingProof: { proofJson: string } }>(READING_PROOF, {
      enterpriseId,
      meterId,
      ts: ts.toISOString(),
    });
    return new NextResponse(r.readingProof.proofJson, {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="proof-${meterId.slice(0, 8)}-${ts.getTime()}.json"`,
        'cache-control': 'no-store',
      },
    });
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      const status = err.code === 'FORBIDDEN' ? 403 : err.code === 'BAD_USER_INPUT' ? 400 : 404;
      return new NextResponse(`${err.code}: ${err.message}`, { status });
    }
    throw err;
  }
}
