import { type NextRequest, NextResponse } from 'next/server';
import { UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { REPORT_FILES } from '@/lib/graphql/operations';

interface ReportFiles {
  id: string;
  version: number;
  language: string;
  json: string;
  pdfBase64: string;
  xlsxBase64: string;
}

const TYPES = {
  pdf: 'application/pdf',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/**
 * Downloads one report file (PDF, canonical JSON or XLSX working) as the signed-in user: the API
 * decides whether the caller may read the report; nothing is cached.
 */
export async function GET(_req: NextRequest, ctx: { params: Promise<{ id: string; format: string }> }) {
  const { id, format } = await ctx.params;
  if (!UUID.test(id) || !(format in TYPES)) return new NextResponse('not found', { status: 404 });
  let r: ReportFiles;
  try {
    r = (await authedRequest<{ report: ReportFiles }>(REPORT_FILES, { id })).report;
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      const status = err.code === 'FORBIDDEN' ? 403 : err.code === 'NOT_FOUND' ? 404 : 502;
      return new NextResponse(err.code, { status });
    }
    throw err;
  }
  const f = format as keyof typeof TYPES;
  const body =
    f === 'json'
      ? Buffer.from(r.json, 'utf8')
      : Buffer.from(f === 'pdf' ? r.pdfBase64 : r.xlsxBase64, 'base64');
  return new NextResponse(new Uint8Array(body), {
    headers: {
      'content-type': TYPES[f],
      'content-disposition': `attachment; filename="report-${r.id.slice(0, 8)}-v${r.version}-${r.language}.${f}"`,
      'cache-control': 'no-store',
    },
  });
}
