import { type NextRequest, NextResponse } from 'next/server';
import { UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { PARK_EXPORT } from '@/lib/graphql/operations';

/**
 * The park's export for the government (canonical JSON whose figures reference inventory hashes and
 * roots, or its CSV form), as the signed-in park admin. The SHA-256 travels in a header.
 */
export async function GET(req: NextRequest, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  const year = Number(req.nextUrl.searchParams.get('year'));
  const format = req.nextUrl.searchParams.get('format') === 'csv' ? 'csv' : 'json';
  if (!UUID.test(id) || !Number.isInteger(year) || year < 2000 || year > 2200)
    return new NextResponse('park id (uuid) and year are required', { status: 400 });
  try {
    const r = await authedRequest<{ parkExport: { csv: string; json: string; sha256: string } }>(
      PARK_EXPORT,
      {
        parkId: id,
        year,
      },
    );
    return new NextResponse(format === 'csv' ? r.parkExport.csv : r.parkExport.json, {
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="park-${id.slice(0, 8)}-${year}.${format}"`,
        'x-content-sha256': r.parkExport.sha256,
        'cache-control': 'no-store',
      },
    });
  } catch (err) {
    if (err instanceof GraphQLRequestError)
      return new NextResponse(`${err.code}: ${err.message}`, {
        status: err.code === 'FORBIDDEN' ? 403 : 502,
      });
    throw err;
  }
}
